import { ValidationError } from '@baton/core';
import type Database from 'better-sqlite3';

/**
 * How long a dedupe record is kept by default: 7 days, as long as Storage Queues keep a message by
 * default, longer than SQS (4 days) and far longer than Slack and webhook senders retry, so a late
 * redelivery is still recognised. Set `dedupeTtlMs` on SqliteStore to change it.
 */
export const DEFAULT_DEDUPE_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** Every this many commits of one connection, one bounded delete runs inside the commit. */
export const PRUNE_EVERY_COMMITS = 64;
/** Rows one prune deletes at most: four times what 64 commits can add (one dedupe row each at most). */
export const PRUNE_BATCH = 256;

/** The window a store was given, checked before it opens anything; the default without one. */
export function dedupeWindow(ttlMs: number | undefined): number {
  if (ttlMs === undefined) return DEFAULT_DEDUPE_TTL_MS;
  if (!Number.isSafeInteger(ttlMs) || ttlMs < 1) {
    throw new ValidationError('dedupeTtlMs must be a positive integer', { field: 'dedupeTtlMs' });
  }
  return ttlMs;
}

/**
 * Deletes dedupe records older than the window, a bounded batch at a time, piggybacked on commits:
 * no timer keeps the process alive, and the delete shares the commit's write lock and fsync. The
 * first commit after open prunes (so short-lived processes prune too), then every
 * PRUNE_EVERY_COMMITS commits, or at the next commit while a full batch shows a backlog. A record
 * is therefore kept at least the window; from then on, as on every store, it counts as absent for
 * reads and commits (by their clocks), whether pruned yet or not.
 */
export class DedupePruner {
  private untilNext = 1;
  private readonly deleteOldest: Database.Statement<[before: number, limit: number]>;

  constructor(
    db: Database.Database,
    private readonly ttlMs: number,
  ) {
    // The subquery walks dedupe_by_age from its oldest entry: DELETE ... LIMIT needs a compile option.
    this.deleteOldest = db.prepare<[before: number, limit: number]>(
      `DELETE FROM dedupe WHERE rowid IN
         (SELECT rowid FROM dedupe WHERE recorded_at < ? ORDER BY recorded_at LIMIT ?)`,
    );
  }

  /** Whether a record written at `at` still counts at `now` (the window is half-open, as TTLs are). */
  fresh(at: number, now: number): boolean {
    return at + this.ttlMs > now;
  }

  /**
   * Runs inside a commit's write transaction; returns the number of records deleted. `now` is the
   * commit's own time (its head's updatedAt), on the clock that stamped the records: a writer on a
   * test's manual clock never sees its fresh records as old, whatever the machine's time.
   */
  afterCommit(now: number): number {
    if (--this.untilNext > 0) return 0;
    const deleted = this.prune(now);
    this.untilNext = deleted === PRUNE_BATCH ? 1 : PRUNE_EVERY_COMMITS;
    return deleted;
  }

  /** One bounded delete of records older than the window at `now`; returns how many went. */
  prune(now: number): number {
    return this.deleteOldest.run(now - this.ttlMs, PRUNE_BATCH).changes;
  }
}
