import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { ModelStreamEvent } from '../model.js';
import type { RunContext } from '../run-context.js';
import type { SessionRef } from '../session-ref.js';
import type { LiveHub } from './live-hub.js';
import type { LiveSnapshot, LiveStore } from './live-store.js';

export interface LiveCallOptions {
  ref: SessionRef;
  /** The lease owner making the call. */
  runId: string;
  /** The head seq the call follows. */
  afterSeq: number;
  hub?: LiveHub;
  /** The store's live record; absent when the store has none or writes are off. */
  store?: LiveStore;
  /** Least time between two store writes (a trailing write catches what came in between). */
  writeEveryMs: number;
  clock: Clock;
  logger: Logger;
}

/** How long a snapshot stays readable after its write: a call that stopped writing is over. */
const SNAPSHOT_TTL_MS = 5 * 60_000;

/**
 * The publisher of one streamed model call: it accumulates the text and tool-call argument deltas,
 * hands every change to the in-process hub at once, and writes the store's live record throttled:
 * at once for the first delta, then at most once per `writeEveryMs`, the last change included while
 * the call goes on. Writes never overlap (a later one could land first), and a store failure is
 * logged, never fails the call: the committed step is the truth, the snapshot only a preview. When
 * the call ends no write is made: the commit that follows supersedes the snapshot, and a reader
 * ignores a snapshot whose call a later event ended, so clearing it would be a write for nothing.
 *
 * The store is written only while someone outside this process watches the session
 * (`LiveStore.watch`): the call reads `watchedUntil` when it starts and, while unwatched, again at
 * most once per WATCH_RECHECK_MS while deltas come, keeping them in the hub meanwhile. Once
 * watched, the first change is written at once and the rest throttled as above, until the watch
 * passes. A store without watches is written as if always watched.
 *
 * @example
 *   const call = new LiveCall({ ref, runId, afterSeq: 4, hub, store: store.live, writeEveryMs: 250, clock, logger });
 *   call.add({ type: 'text_delta', text: 'Hel' });
 *   call.end();
 */
export class LiveCall {
  /** Store writes made, for tests and the bench. */
  writes = 0;
  /** Reads of the session's watch made, for tests and the bench. */
  watchReads = 0;
  /** The watch's `until` as last read; null: none; undefined: not read yet. */
  private watched: number | null | undefined;
  private lastWatchReadAt = Number.NEGATIVE_INFINITY;
  private watchReading: Promise<void> | null = null;
  private text = '';
  private readonly toolCalls: LiveSnapshot['toolCalls'] = [];
  private lastWriteAt = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | null = null;
  private dirty = false;
  private ended = false;

  constructor(private readonly options: LiveCallOptions) {
    if (options.store?.watchedUntil && options.writeEveryMs > 0) this.readWatch(options.store);
  }

  /** Takes one stream event: deltas change the snapshot; the final response changes nothing. */
  add(event: ModelStreamEvent): void {
    if (this.ended) return;
    if (event.type === 'text_delta') {
      if (event.text === '') return;
      this.text += event.text;
    } else if (event.type === 'tool_call_delta') {
      let call = this.toolCalls.find((candidate) => candidate.callId === event.callId);
      if (!call) {
        call = { callId: event.callId, name: event.name ?? '', arguments: '' };
        this.toolCalls.push(call);
      }
      if (event.name) call.name = event.name;
      call.arguments += event.argumentsDelta;
    } else {
      return;
    }
    this.options.hub?.publish(this.options.ref, this.snapshot());
    this.dirty = true;
    this.schedule();
  }

  /** The call is over (committed, failed or aborted): no more writes; hub listeners are told. */
  end(): void {
    this.ended = true;
    clearTimeout(this.timer);
    this.options.hub?.end(this.options.ref, this.options.runId);
  }

  private snapshot(): LiveSnapshot {
    const now = this.options.clock.now();
    return {
      afterSeq: this.options.afterSeq,
      runId: this.options.runId,
      text: this.text,
      toolCalls: this.toolCalls.map((call) => ({ ...call })),
      updatedAt: now,
      expiresAt: now + SNAPSHOT_TTL_MS,
    };
  }

  private schedule(): void {
    const { store, writeEveryMs } = this.options;
    if (!store || writeEveryMs <= 0 || this.writing || this.timer || this.watchReading) return;
    if (store.watchedUntil && !this.isWatched()) {
      const wait = this.lastWatchReadAt + WATCH_RECHECK_MS - performance.now();
      if (wait <= 0) this.readWatch(store);
      else this.later(wait);
      return;
    }
    const wait = this.lastWriteAt + writeEveryMs - performance.now();
    if (wait <= 0) {
      this.write(store);
      return;
    }
    this.later(wait);
  }

  private later(wait: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.schedule();
    }, wait);
    this.timer.unref();
  }

  private isWatched(): boolean {
    return this.watched != null && this.watched > this.options.clock.now();
  }

  /** One read of the watch; a failed read counts as unwatched until the next. */
  private readWatch(store: LiveStore): void {
    this.lastWatchReadAt = performance.now();
    this.watchReads++;
    this.watchReading = (store.watchedUntil?.(this.options.ref) ?? Promise.resolve(null))
      .then(
        (until) => {
          this.watched = until;
        },
        (error: unknown) => {
          this.watched = null;
          this.options.logger.warn('live watch read failed', { error });
        },
      )
      .finally(() => {
        this.watchReading = null;
        if (this.dirty && !this.ended) this.schedule();
      });
  }

  private write(store: LiveStore): void {
    this.dirty = false;
    this.lastWriteAt = performance.now();
    this.writes++;
    this.writing = store
      .write(this.options.ref, this.snapshot())
      .catch((error: unknown) => this.options.logger.warn('live snapshot write failed', { error }))
      .finally(() => {
        this.writing = null;
        if (this.dirty && !this.ended) this.schedule();
      });
  }
}

/**
 * The publisher of the model call a run is about to make, or null when the call will not stream
 * (the agent's `policies.stream` is off or its model has no `stream()`). Its snapshot follows the
 * head the run holds (`afterSeq`) and names the lease owner (`runId`).
 *
 * @example
 *   const live = startLiveCall(run);
 *   try { ... } finally { live?.end(); }
 */
export function startLiveCall(run: RunContext): LiveCall | null {
  const { agent, deps } = run;
  if (!agent.policies.stream || !agent.model.stream) return null;
  const writeEveryMs = agent.timing.liveWriteMs ?? DEFAULT_LIVE_WRITE_MS;
  return new LiveCall({
    ref: run.writer.ref,
    runId: run.options.owner,
    afterSeq: run.writer.head.seq,
    ...(deps.live ? { hub: deps.live } : {}),
    ...(deps.store.live && writeEveryMs > 0 ? { store: deps.store.live } : {}),
    writeEveryMs,
    clock: deps.clock,
    logger: run.logger,
  });
}

/** While a call is unwatched, the least time between two reads of its session's watch. */
export const WATCH_RECHECK_MS = 1_000;

/** The least time between two live snapshot writes to the store unless the agent sets `timing.liveWriteMs`. */
export const DEFAULT_LIVE_WRITE_MS = 250;
