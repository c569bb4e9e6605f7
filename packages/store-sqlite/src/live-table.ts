import type { Clock, SessionRef } from '@baton/core';
import { fitLiveSnapshot, type LiveSnapshot, type LiveStore, parseLiveSnapshot } from '@baton/core/store';
import type Database from 'better-sqlite3';
import { parseStoredJson, translateSqliteError } from './sqlite-errors.js';

type Key = [tenant: string, sessionId: string];

/** Every this many live writes of one connection, one bounded delete of expired rows runs. */
export const LIVE_PRUNE_EVERY_WRITES = 64;
/** Expired rows one such delete removes at most. */
export const LIVE_PRUNE_BATCH = 16;

/**
 * The live snapshots (core's LiveStore) in their own table (schema migration 5), one row per
 * session, replaced by each write: one autocommit statement, outside every commit's transaction,
 * so it never waits on a version check and never adds a row to the log. Rows go with their
 * session (`delete`, expiry), on `clear`, and, when a run died before clearing its row, once
 * expired, a few at a time during later writes. Each session's watch (`watch`) is a row of the
 * `live_watch` table (migration 6), deleted the same ways.
 */
export class SqliteLive implements LiveStore {
  private untilPrune = LIVE_PRUNE_EVERY_WRITES;
  private readonly upsert: Database.Statement<[...Key, expiresAt: number, record: string]>;
  private readonly byKey: Database.Statement<Key, { record: string; expires_at: number }>;
  private readonly remove: Database.Statement<Key>;
  private readonly prune: Database.Statement<[now: number, limit: number]>;
  private readonly upsertWatch: Database.Statement<[...Key, until: number]>;
  private readonly watchByKey: Database.Statement<Key, { until: number }>;
  private readonly removeWatch: Database.Statement<Key>;
  private readonly pruneWatches: Database.Statement<[now: number, limit: number]>;

  constructor(
    db: Database.Database,
    private readonly clock: Clock,
    private readonly stats: { liveWrites: number; liveReads: number },
  ) {
    this.upsert = db.prepare(
      `INSERT INTO live (tenant, session_id, expires_at, record) VALUES (?, ?, ?, ?)
       ON CONFLICT (tenant, session_id) DO UPDATE SET expires_at = excluded.expires_at, record = excluded.record`,
    );
    this.byKey = db.prepare('SELECT record, expires_at FROM live WHERE tenant = ? AND session_id = ?');
    this.remove = db.prepare('DELETE FROM live WHERE tenant = ? AND session_id = ?');
    this.prune = db.prepare(
      'DELETE FROM live WHERE rowid IN (SELECT rowid FROM live WHERE expires_at <= ? ORDER BY expires_at LIMIT ?)',
    );
    this.upsertWatch = db.prepare(
      `INSERT INTO live_watch (tenant, session_id, until) VALUES (?, ?, ?)
       ON CONFLICT (tenant, session_id) DO UPDATE SET until = excluded.until`,
    );
    this.watchByKey = db.prepare('SELECT until FROM live_watch WHERE tenant = ? AND session_id = ?');
    this.removeWatch = db.prepare('DELETE FROM live_watch WHERE tenant = ? AND session_id = ?');
    this.pruneWatches = db.prepare(
      'DELETE FROM live_watch WHERE rowid IN (SELECT rowid FROM live_watch WHERE until <= ? LIMIT ?)',
    );
  }

  async write(ref: SessionRef, snapshot: LiveSnapshot): Promise<void> {
    const stored = fitLiveSnapshot(snapshot);
    guard(() => {
      this.upsert.run(ref.tenant, ref.sessionId, stored.expiresAt, JSON.stringify(stored));
      this.stats.liveWrites++;
      if (--this.untilPrune > 0) return;
      this.untilPrune = LIVE_PRUNE_EVERY_WRITES;
      this.prune.run(this.clock.now(), LIVE_PRUNE_BATCH);
      this.pruneWatches.run(this.clock.now(), LIVE_PRUNE_BATCH);
    });
  }

  async read(ref: SessionRef): Promise<LiveSnapshot | null> {
    this.stats.liveReads++;
    const row = guard(() => this.byKey.get(ref.tenant, ref.sessionId));
    if (!row || row.expires_at <= this.clock.now()) return null;
    return parseLiveSnapshot(parseStoredJson(row.record));
  }

  async clear(ref: SessionRef): Promise<void> {
    guard(() => this.remove.run(ref.tenant, ref.sessionId));
  }

  /** One upsert of the session's watch row, apart from its snapshot's. */
  async watch(ref: SessionRef, until: number): Promise<void> {
    guard(() => this.upsertWatch.run(ref.tenant, ref.sessionId, until));
    this.stats.liveWrites++;
  }

  /** One point read; null when absent or passed by the store's clock. */
  async watchedUntil(ref: SessionRef): Promise<number | null> {
    this.stats.liveReads++;
    const row = guard(() => this.watchByKey.get(ref.tenant, ref.sessionId));
    return row && row.until > this.clock.now() ? row.until : null;
  }

  /** Inside a session delete's transaction. */
  removeNow(ref: SessionRef): void {
    this.remove.run(ref.tenant, ref.sessionId);
    this.removeWatch.run(ref.tenant, ref.sessionId);
  }
}

function guard<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    throw translateSqliteError(error);
  }
}
