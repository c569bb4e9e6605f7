import type { ApiKeyStore } from './auth/api-key-store.js';
import type { SessionEvent } from './events.js';
import type { Head, SessionStatus } from './head.js';
import type { Json } from './json.js';
import type { LiveStore } from './live/live-store.js';
import type { SessionRef } from './session-ref.js';

/** What a load returns: the head and the live context (events from head.contextStart on). */
export interface SessionSnapshot {
  head: Head;
  events: SessionEvent[];
}

export interface DedupeRecord {
  v: number;
  dedupeKey: string;
  /** What the first delivery answered; a duplicate gets the same. */
  result: Json;
  at: number;
}

/**
 * One atomic step: the new events, the new head and (for triggers) the dedupe record, applied only
 * if the stored head's version is still `expectedVersion` (null: the session must not exist yet),
 * its incarnation is still `head.incarnation` (`sameIncarnation`: a session deleted and created
 * again restarts its versions, so the version alone cannot tell its lives apart) and the dedupe
 * key was never recorded. Either everything is written or nothing is; a version or incarnation
 * mismatch is a ConflictError.
 */
export interface CommitRequest {
  ref: SessionRef;
  expectedVersion: number | null;
  /**
   * The head after the commit; `head.version` is expectedVersion + 1 (1 when creating), and
   * `head.incarnation` is the stored head's (a new one when creating).
   */
  head: Head;
  /** New events, numbered expectedSeq + 1 .. head.seq in order. May be empty (a lease change). */
  events: SessionEvent[];
  dedupe?: { dedupeKey: string; result: Json };
}

export interface ListQuery {
  tenant?: string;
  status?: SessionStatus;
  limit?: number;
  /** Opaque, from a previous page. */
  cursor?: string;
}

/** A page of `listPending`: every tenant, in an order the store picks. */
export interface PendingQuery {
  limit?: number;
  /** Opaque, from a previous page. */
  cursor?: string;
}

export interface ListPage {
  sessions: Head[];
  cursor?: string;
}

export interface StoreLimits {
  /** Largest single event (JSON bytes) this store accepts; larger ones fail with EventTooLargeError before writing. */
  maxEventBytes: number;
}

/**
 * The persistence contract every backend implements (SQLite, DynamoDB, Cosmos DB, in-memory).
 * Leases, dedupe and the mailbox rule are built in core on top of `commit`; a store only has to make
 * `commit` atomic and conditional. `@baton/testing`'s conformance suite is the definition of correct.
 *
 * Errors: ConflictError (version or incarnation mismatch, or existing session), DuplicateError (dedupe key seen;
 * carries the original record), EventTooLargeError, ThrottledError / StoreUnavailableError (retryable).
 */
export interface SessionStore {
  readonly name: string;
  readonly limits: StoreLimits;
  /** Head and live context in one call; null when the session does not exist. */
  load(ref: SessionRef): Promise<SessionSnapshot | null>;
  /** The head alone (lease checks, status reads). */
  readHead(ref: SessionRef): Promise<Head | null>;
  /** Events with seq > afterSeq in order, at most `limit` (default: all). Used for history, export, the console. */
  readEvents(ref: SessionRef, options?: { afterSeq?: number; limit?: number }): Promise<SessionEvent[]>;
  getDedupe(ref: SessionRef, dedupeKey: string): Promise<DedupeRecord | null>;
  commit(request: CommitRequest): Promise<void>;
  list(query?: ListQuery): Promise<ListPage>;
  /**
   * Heads that may have pending work (`hasPendingWork`), across tenants, each once over the pages.
   * Read from an index that holds only those heads, so its cost grows with them, not with every
   * session ever created: the sweeper's query.
   */
  listPending(query?: PendingQuery): Promise<ListPage>;
  /** Removes the head, every event and every dedupe record of the session. Deleting a missing session is not an error. */
  delete(ref: SessionRef): Promise<void>;
  /** API keys (`apiKeys()` auth), kept in their own records outside every session. */
  readonly apiKeys?: ApiKeyStore;
  /** The in-flight model call's output for live streaming (see LiveStore); optional. */
  readonly live?: LiveStore;
  close?(): Promise<void>;
}
