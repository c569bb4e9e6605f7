import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Clock, RunMessage, RunQueue } from '@baton/core';
import Database from 'better-sqlite3';

export interface ReceivedMessage {
  id: number;
  /** The message as stored (JSON text); the app reads it, malformed or not. */
  body: string;
  /** This delivery's number, from 1. */
  receiveCount: number;
}

/** A `baton serve` process that has this file open, as recorded in it. */
export interface ServerRecord {
  incarnation: string;
  pid: number;
}

/**
 * The local stand-in for SQS / Storage Queues: durable, in the same SQLite file as the sessions, so
 * a server killed mid-run finds its pending runs again on restart. Like SQS, a received message is
 * hidden for a visibility timeout and comes back unless it is acknowledged; the worker keeps the
 * timeout short and extends it while it works (`extend`). Each received message records which
 * server incarnation holds it, and the file records the servers that have it open, so a
 * restarted server takes back at once what its dead predecessor held (`reclaim`).
 */
export class SqliteRunQueue implements RunQueue {
  private readonly db: Database.Database;
  private readonly listeners = new Set<() => void>();

  constructor(
    path: string,
    private readonly clock: Clock,
  ) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS run_queue (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        dedupe_key TEXT NOT NULL UNIQUE,
        body TEXT NOT NULL,
        visible_at INTEGER NOT NULL,
        receive_count INTEGER NOT NULL DEFAULT 0,
        enqueued_at INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS run_queue_visible ON run_queue (visible_at);
      CREATE TABLE IF NOT EXISTS local_servers (
        incarnation TEXT PRIMARY KEY,
        pid INTEGER NOT NULL,
        started_at INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS run_dead_letters (
        id INTEGER PRIMARY KEY,
        dedupe_key TEXT NOT NULL,
        body TEXT NOT NULL,
        reason TEXT NOT NULL,
        receive_count INTEGER NOT NULL,
        failed_at INTEGER NOT NULL
      );
    `);
    // Files from before reclaiming: add the columns (held_by: the incarnation that received the
    // message; waits_for_lease: put back because its session's lease was held).
    const columns = new Set(
      (this.db.prepare('PRAGMA table_info(run_queue)').all() as { name: string }[]).map((c) => c.name),
    );
    if (!columns.has('held_by')) this.db.exec('ALTER TABLE run_queue ADD COLUMN held_by TEXT');
    if (!columns.has('waits_for_lease'))
      this.db.exec('ALTER TABLE run_queue ADD COLUMN waits_for_lease INTEGER NOT NULL DEFAULT 0');
  }

  async enqueue(message: RunMessage, options: { delayMs?: number } = {}): Promise<void> {
    const now = this.clock.now();
    // A pending message with the same key is the same work: keep one, visible at the earlier time.
    this.db
      .prepare(
        `INSERT INTO run_queue (dedupe_key, body, visible_at, enqueued_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (dedupe_key) DO UPDATE SET visible_at = MIN(visible_at, excluded.visible_at)`,
      )
      .run(message.dedupeKey, JSON.stringify(message), now + (options.delayMs ?? 0), now);
    for (const listener of this.listeners) listener();
  }

  /** Takes up to `max` visible messages and hides them for `visibilityMs`, held by `holder`. */
  receive(max: number, visibilityMs: number, holder: string | null = null): ReceivedMessage[] {
    const now = this.clock.now();
    const take = this.db.transaction(() => {
      const rows = this.db
        .prepare(
          'SELECT id, body, receive_count FROM run_queue WHERE visible_at <= ? ORDER BY visible_at, id LIMIT ?',
        )
        .all(now, max) as { id: number; body: string; receive_count: number }[];
      const hide = this.db.prepare(
        `UPDATE run_queue SET visible_at = ?, receive_count = receive_count + 1, held_by = ?,
         waits_for_lease = 0 WHERE id = ?`,
      );
      for (const row of rows) hide.run(now + visibilityMs, holder, row.id);
      return rows;
    });
    return take.immediate().map((row) => ({
      id: row.id,
      body: row.body,
      receiveCount: row.receive_count + 1,
    }));
  }

  /**
   * Hides a message `holder` is still working on for another `visibilityMs` (the worker's heartbeat).
   * False when it no longer holds it (acknowledged, or taken back by a restarted server).
   */
  extend(id: number, holder: string | null, visibilityMs: number): boolean {
    const changed = this.db
      .prepare('UPDATE run_queue SET visible_at = ? WHERE id = ? AND held_by IS ?')
      .run(this.clock.now() + visibilityMs, id, holder).changes;
    return changed > 0;
  }

  ack(id: number): void {
    this.db.prepare('DELETE FROM run_queue WHERE id = ?').run(id);
  }

  /**
   * Makes a received message visible again after `delayMs`. With `countsReceive: false` (a busy
   * session, a message not due yet) the receive is taken back, so waiting never uses up deliveries.
   */
  retryLater(
    id: number,
    delayMs: number,
    options: { countsReceive?: boolean; waitsForLease?: boolean } = {},
  ): void {
    const uncount = options.countsReceive === false ? 1 : 0;
    this.db
      .prepare(
        `UPDATE run_queue SET visible_at = ?, receive_count = MAX(0, receive_count - ?), held_by = NULL,
         waits_for_lease = ? WHERE id = ?`,
      )
      .run(this.clock.now() + delayMs, uncount, options.waitsForLease ? 1 : 0, id);
  }

  /**
   * Records `self` as a server with this file open and forgets the recorded servers that are dead
   * (`alive` says which are not); returns the others still alive.
   */
  registerServer(self: ServerRecord, alive: (server: ServerRecord) => boolean): ServerRecord[] {
    return this.db
      .transaction(() => {
        const servers = this.db.prepare('SELECT incarnation, pid FROM local_servers').all() as ServerRecord[];
        const living = servers.filter((server) => server.incarnation !== self.incarnation && alive(server));
        const forget = this.db.prepare('DELETE FROM local_servers WHERE incarnation = ?');
        for (const server of servers) if (!living.includes(server)) forget.run(server.incarnation);
        this.db
          .prepare('INSERT OR REPLACE INTO local_servers (incarnation, pid, started_at) VALUES (?, ?, ?)')
          .run(self.incarnation, self.pid, this.clock.now());
        return living;
      })
      .immediate();
  }

  unregisterServer(incarnation: string): void {
    this.db.prepare('DELETE FROM local_servers WHERE incarnation = ?').run(incarnation);
  }

  /**
   * Makes visible now every message held by a server not in `living` (it died holding it) and,
   * with `leaseWaiters`, every message put back to wait for a lease (the leases were broken).
   * Returns how many came back.
   */
  reclaim(living: readonly string[], options: { leaseWaiters: boolean }): number {
    const now = this.clock.now();
    const marks = living.map(() => '?').join(', ');
    const heldElsewhere = living.length > 0 ? `held_by NOT IN (${marks})` : 'TRUE';
    return this.db
      .prepare(
        `UPDATE run_queue SET visible_at = MIN(visible_at, ?), held_by = NULL, waits_for_lease = 0
         WHERE (held_by IS NOT NULL AND ${heldElsewhere}) OR (? AND waits_for_lease = 1)`,
      )
      .run(now, ...living, options.leaseWaiters ? 1 : 0).changes;
  }

  deadLetter(id: number, reason: string): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO run_dead_letters (id, dedupe_key, body, reason, receive_count, failed_at)
           SELECT id, dedupe_key, body, ?, receive_count, ? FROM run_queue WHERE id = ?`,
        )
        .run(reason, this.clock.now(), id);
      this.db.prepare('DELETE FROM run_queue WHERE id = ?').run(id);
    })();
  }

  /** When the next message becomes visible (null when the queue is empty). */
  nextVisibleAt(): number | null {
    const row = this.db.prepare('SELECT MIN(visible_at) AS at FROM run_queue').get() as { at: number | null };
    return row.at;
  }

  depth(): { pending: number; deadLetters: number } {
    const pending = (this.db.prepare('SELECT COUNT(*) AS n FROM run_queue').get() as { n: number }).n;
    const deadLetters = (this.db.prepare('SELECT COUNT(*) AS n FROM run_dead_letters').get() as { n: number })
      .n;
    return { pending, deadLetters };
  }

  /** Dead-lettered messages, oldest first, with their bodies as stored (which may not be JSON). */
  deadLetters(): { dedupeKey: string; body: string; reason: string; receiveCount: number }[] {
    const rows = this.db
      .prepare('SELECT dedupe_key, body, reason, receive_count FROM run_dead_letters ORDER BY failed_at, id')
      .all() as { dedupe_key: string; body: string; reason: string; receive_count: number }[];
    return rows.map((row) => ({
      dedupeKey: row.dedupe_key,
      body: row.body,
      reason: row.reason,
      receiveCount: row.receive_count,
    }));
  }

  /** Called after every enqueue in this process, so a worker need not poll. */
  onEnqueue(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.db.close();
  }
}
