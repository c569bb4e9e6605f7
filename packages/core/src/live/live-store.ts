import type { SessionRef } from '../session-ref.js';

/**
 * What a run has produced so far in the model call it is making: the text and tool-call
 * arguments streamed since the head's `afterSeq`, not yet committed. It is not part of the log
 * (the committed `model_response` is the truth); it lets a client connected to another invocation
 * than the one running the model see the answer as it is written.
 */
export interface LiveSnapshot {
  /** The head seq the in-flight model call follows: its deltas belong to the step after it. */
  afterSeq: number;
  /** The run (lease owner) producing it; a snapshot from another run is stale. */
  runId: string;
  /** The whole text streamed so far in this model call (a client sends only what it has not). */
  text: string;
  /** Tool calls streamed so far, arguments as the raw JSON text received. */
  toolCalls: { callId: string; name: string; arguments: string }[];
  /** Epoch ms of this write. */
  updatedAt: number;
  /** Epoch ms after which the store may drop it (stores with expiry set their TTL from it). */
  expiresAt: number;
}

/**
 * One overwritable record per session holding its LiveSnapshot, outside the log and the head, so
 * writing it never conflicts with a commit and never counts as a step's write. Last writer wins.
 * Stores that implement it let `GET /sessions/{id}/stream` show deltas produced by another
 * invocation (a Lambda worker, another Azure instance); without it a client sees committed events
 * only, plus deltas from runs in its own process.
 *
 * @example
 *   await store.live?.write(ref, { afterSeq: 4, runId, text: 'Hel', toolCalls: [], updatedAt, expiresAt });
 *   const snapshot = await store.live?.read(ref); // { afterSeq: 4, text: 'Hel', ... } or null
 */
export interface LiveStore {
  /**
   * Replaces the session's snapshot. One over LIVE_SNAPSHOT_MAX_BYTES (256 KiB of JSON) is stored
   * cut to fit (`fitLiveSnapshot`: a prefix of the text, then of the tool calls' arguments), never
   * refused: a live write must not fail a run, and the committed step brings the whole answer.
   */
  write(ref: SessionRef, snapshot: LiveSnapshot): Promise<void>;
  /**
   * The session's snapshot, or null when there is none or it expired (`expiresAt` <= the store's
   * clock). A store may read it eventually consistent (DynamoDB): for a moment it may return the
   * previous snapshot, or one just cleared, so a reader compares `afterSeq` and `runId` with the head.
   */
  read(ref: SessionRef): Promise<LiveSnapshot | null>;
  /** Removes it (after the step commits, or with the session). Missing is not an error. */
  clear(ref: SessionRef): Promise<void>;
  /**
   * Says someone outside the runner's process follows the session until `until` (epoch ms): a
   * record of its own beside the snapshot (the runner's writes never replace it), last writer
   * wins, removed with the session. A runner writes snapshots only while it is watched, so a
   * follower that reads them from the store calls this when it starts and again every
   * LIVE_WATCH_REFRESH_MS. A store without it has every streamed call write its snapshots.
   */
  watch?(ref: SessionRef, until: number): Promise<void>;
  /**
   * The `until` of the session's watch, or null when there is none or it passed (<= the store's
   * clock). May be read eventually consistent: the runner reads it again a moment later.
   */
  watchedUntil?(ref: SessionRef): Promise<number | null>;
}

/** How long one `watch` lasts: a follower that went away stops the runner's writes after this. */
export const LIVE_WATCH_MS = 15_000;
/** How often a follower renews its watch: a few renewals fit in one LIVE_WATCH_MS. */
export const LIVE_WATCH_REFRESH_MS = 5_000;
