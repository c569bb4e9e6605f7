import { type Clock, type Head, type ListPage, type SessionRef, ValidationError } from '@baton/core';
import type Database from 'better-sqlite3';

/** Every this many commits of one connection, one bounded prune of expired sessions runs in the commit. */
export const SESSION_PRUNE_EVERY_COMMITS = 64;
/** Expired sessions one prune deletes at most, each whole (head, events, dedupe records, live row at once). */
export const SESSION_PRUNE_BATCH = 16;

/** The session TTL a store was given, checked before it opens anything; undefined keeps sessions forever. */
export function sessionWindow(ttlMs: number | undefined): number | undefined {
  if (ttlMs === undefined) return undefined;
  if (!Number.isSafeInteger(ttlMs) || ttlMs < 1) {
    throw new ValidationError('sessionTtlMs must be a positive integer', { field: 'sessionTtlMs' });
  }
  return ttlMs;
}

type Key = [tenant: string, sessionId: string];

/**
 * Per-session expiry, the same rule as the cloud stores (docs/design.md): a session whose last
 * commit (its head's `updatedAt`) is `ttlMs` old is gone as a whole. Readers hide it at once, by
 * the store's clock; a commit creating the session again replaces it; and commits delete expired
 * sessions whole, a bounded batch at a time (first commit after open, then every
 * SESSION_PRUNE_EVERY_COMMITS, or the next while a full batch shows a backlog). Events carry no
 * expiry of their own here, so a session that keeps committing never loses one.
 */
export class SessionExpiry {
  private untilNext = 1;
  private readonly updatedAt: Database.Statement<Key, { updated_at: number }>;
  private readonly oldest: Database.Statement<
    [before: number, limit: number],
    { tenant: string; session_id: string }
  >;
  private readonly deletes: Database.Statement<Key>[];

  constructor(
    db: Database.Database,
    readonly ttlMs: number | undefined,
    readonly clock: Clock,
  ) {
    this.updatedAt = db.prepare('SELECT updated_at FROM heads WHERE tenant = ? AND session_id = ?');
    // heads_by_recency is ordered by updated_at: the oldest heads come first without a scan.
    this.oldest = db.prepare(
      'SELECT tenant, session_id FROM heads WHERE updated_at <= ? ORDER BY updated_at LIMIT ?',
    );
    this.deletes = ['events', 'dedupe', 'live', 'live_watch', 'heads'].map((table) =>
      db.prepare<Key>(`DELETE FROM ${table} WHERE tenant = ? AND session_id = ?`),
    );
  }

  /** Whether readers must treat the session as absent now (it expired, or has no head). */
  hidden(ref: SessionRef): boolean {
    if (this.ttlMs === undefined) return false;
    const row = this.updatedAt.get(ref.tenant, ref.sessionId);
    return !row || row.updated_at + this.ttlMs <= this.clock.now();
  }

  /** A page of heads without the expired ones (a page may come back short, with its cursor). */
  visible(page: ListPage): ListPage {
    if (this.ttlMs === undefined) return page;
    const now = this.clock.now();
    return { ...page, sessions: page.sessions.filter((head: Head) => head.updatedAt + this.ttlMs! > now) };
  }

  /** Inside a commit: an expired session of this key is deleted first, so the commit sees it absent. */
  clearIfExpired(tenant: string, sessionId: string, now: number): void {
    if (this.ttlMs === undefined) return;
    const row = this.updatedAt.get(tenant, sessionId);
    if (row && row.updated_at + this.ttlMs <= now) this.remove([tenant, sessionId]);
  }

  /** Inside a commit's write transaction, at the commit's own time; returns the sessions deleted. */
  afterCommit(now: number): number {
    if (this.ttlMs === undefined || --this.untilNext > 0) return 0;
    const deleted = this.prune(now, SESSION_PRUNE_BATCH);
    this.untilNext = deleted === SESSION_PRUNE_BATCH ? 1 : SESSION_PRUNE_EVERY_COMMITS;
    return deleted;
  }

  /** Deletes up to `limit` expired sessions, each whole. */
  prune(now: number, limit: number): number {
    if (this.ttlMs === undefined) return 0;
    const expired = this.oldest.all(now - this.ttlMs, limit);
    for (const row of expired) this.remove([row.tenant, row.session_id]);
    return expired.length;
  }

  /** Every expired session and dedupe record at `now`, in bounded batches; call inside a transaction. */
  pruneAll(now: number, dedupe: { prune(now: number): number }): { sessions: number; dedupe: number } {
    const total = { sessions: 0, dedupe: 0 };
    for (let n = -1; n !== 0; total.sessions += n) n = this.prune(now, SESSION_PRUNE_BATCH);
    for (let n = -1; n !== 0; total.dedupe += n) n = dedupe.prune(now);
    return total;
  }

  private remove(key: Key): void {
    for (const statement of this.deletes) statement.run(...key);
  }
}
