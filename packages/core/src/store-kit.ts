/*
 * `@baton/core/store`: what a store author (or a test that plays one) needs beyond the user-facing
 * surface of `@baton/core`: the SessionStore contract and its records, the record parsers every
 * store reads through, the one commit path, leases and the lease holder's writer, and the
 * in-memory store for unit tests. The store conformance suite (`@baton/testing`) certifies a
 * store against exactly this code.
 */
export { type AppendTarget, appendInput, type FailureRecord, recordFailure } from './appends.js';
export { CONFLICT_RETRY, type RetryPolicy } from './backoff.js';
export {
  type Head,
  hasPendingWork,
  incarnationOf,
  LEGACY_INCARNATION,
  type Lease,
  newHead,
  type SessionStatus,
  sameIncarnation,
} from './head.js';
export {
  type CommitTarget,
  commitHead,
  type HeadChange,
  type PlannedCommit,
  planCommit,
  retryConflicts,
  writeCommit,
} from './head-commit.js';
export {
  type AcquireOptions,
  acquireLease,
  type LeaseOptions,
  UnreadInputError,
} from './lease.js';
export { fitLiveSnapshot, LIVE_SNAPSHOT_MAX_BYTES, parseLiveSnapshot } from './live/live-snapshot-size.js';
export type { LiveSnapshot, LiveStore } from './live/live-store.js';
export { LIVE_WATCH_MS, LIVE_WATCH_REFRESH_MS } from './live/live-store.js';
export { MemoryStore } from './memory-store.js';
export { eventNeededBefore, parseDedupe, parseEvent, parseEvents, parseHead } from './migrate.js';
export {
  type PendingBackfillOptions,
  type PendingBackfillProgress,
  startBackfill,
} from './pending-backfill.js';
export { commitRecords, eventRecords, headRecord } from './record-codec.js';
export { SessionWriter, type StepCommit } from './session-writer.js';
export type {
  CommitRequest,
  DedupeRecord,
  ListPage,
  ListQuery,
  PendingQuery,
  SessionSnapshot,
  SessionStore,
  StoreLimits,
} from './store.js';
