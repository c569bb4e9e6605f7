import {
  type Clock,
  ConflictError,
  DuplicateError,
  type Head,
  type ListPage,
  type ListQuery,
  type SessionEvent,
  type SessionRef,
  type SessionStore,
  systemClock,
  ValidationError,
} from '@baton/core';
import {
  type CommitRequest,
  type DedupeRecord,
  eventNeededBefore,
  hasPendingWork,
  type PendingQuery,
  parseDedupe,
  parseEvents,
  parseHead,
  type SessionSnapshot,
  type StoreLimits,
} from '@baton/core/store';
import type Database from 'better-sqlite3';
import { SqliteApiKeys } from './api-key-table.js';
import { assertSameIncarnation, type CommitRows, commitRows } from './commit-rows.js';
import { DedupePruner, dedupeWindow } from './dedupe-prune.js';
import { afterParameters, decodeCursor, keysetPage, pageLimit } from './list-cursor.js';
import { SqliteLive } from './live-table.js';
import { openDatabase } from './open-database.js';
import { SessionExpiry, sessionWindow } from './session-expiry.js';
import { parseStoredJson, translateSqliteError } from './sqlite-errors.js';
import { ListStatements, prepareStatements, type RecordRow, type Statements } from './statements.js';

export interface SqliteStoreOptions {
  /** A file (missing parent folders are created) or ':memory:'. Ignored when `database` is given. */
  path?: string;
  /** An open better-sqlite3 connection to use instead; the caller keeps ownership and closes it. */
  database?: Database.Database;
  /** Largest event accepted, in JSON bytes. Default 16 MiB. */
  maxEventBytes?: number;
  /** How long a commit waits for another connection's write lock before ThrottledError. Default 5000 ms. */
  busyTimeoutMs?: number;
  /** A file up to this size gets a full quick_check at open, a larger one a bounded check. Default 16 MiB. */
  integrityCheckMaxBytes?: number;
  /** Dedupe records older than this are pruned, a bounded batch during commits. Default 7 days. */
  dedupeTtlMs?: number;
  /** A session idle this long is gone, whole (session-expiry.ts). Default: sessions are kept forever. */
  sessionTtlMs?: number;
  /**
   * What "now" is for hiding expired sessions, dedupe records and live snapshots from reads. Default: the writers'
   * clock, i.e. the latest commit time this connection has written (the system clock before any):
   * an app on a test's manual clock never sees its own fresh records as expired by the machine's
   * time. Expiry may then show a little late on an idle connection, never early.
   */
  clock?: Clock;
}

/** Counters for benchmarks, for this connection only. */
export interface SqliteStoreStats {
  commits: number;
  /** Commits refused because the head had changed (ConflictError). */
  conflicts: number;
  /** Head, event and dedupe rows inserted or updated by successful commits. */
  rowsWritten: number;
  eventsWritten: number;
  /** JSON bytes of the rows written. */
  bytesWritten: number;
  /** Read calls (load, readHead, readEvents, getDedupe, list, listPending). */
  reads: number;
  rowsRead: number;
  bytesRead: number;
  /** Live snapshots written and read (`live`), apart from the commits and reads above. */
  liveWrites: number;
  liveReads: number;
}

const DEFAULT_MAX_EVENT_BYTES = 16 * 1024 * 1024;
const DEFAULT_LIST_LIMIT = 50;

/**
 * The embedded store: one SQLite file, one transaction per commit. Correctness rests on SQLite's
 * locking alone (BEGIN IMMEDIATE plus the version check inside it), never on state in this object,
 * so several processes may open the same file.
 *
 * @example
 * const store = new SqliteStore({ path: '.baton/sessions.db' });
 * const snapshot = await store.load({ tenant: 'acme', sessionId: 'support-42' });
 * await store.close();
 */
export class SqliteStore implements SessionStore {
  readonly name = 'sqlite';
  readonly limits: StoreLimits;
  readonly stats: SqliteStoreStats = {
    ...{ commits: 0, conflicts: 0, rowsWritten: 0, eventsWritten: 0, bytesWritten: 0 },
    ...{ reads: 0, rowsRead: 0, bytesRead: 0, liveWrites: 0, liveReads: 0 },
  };
  /** API keys in their own table, on this connection. */
  readonly apiKeys: SqliteApiKeys;
  /** The in-flight model call's output per session, in its own table (live-table.ts). */
  readonly live: SqliteLive;
  private readonly db: Database.Database;
  private readonly ownsDatabase: boolean;
  private readonly statements: Statements;
  private readonly listStatements: ListStatements;
  private readonly writeCommit: Database.Transaction<(request: CommitRequest, rows: CommitRows) => void>;
  private readonly readSnapshot: Database.Transaction<(ref: SessionRef) => SessionSnapshot | null>;
  private readonly expiry: SessionExpiry;
  private readonly pruner: DedupePruner;

  constructor(options: SqliteStoreOptions) {
    const busyTimeoutMs = Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000));
    const maxEventBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
    if (!Number.isSafeInteger(maxEventBytes) || maxEventBytes < 1) {
      throw new ValidationError('maxEventBytes must be a positive integer', { field: 'maxEventBytes' });
    }
    this.limits = { maxEventBytes };
    this.ownsDatabase = options.database === undefined;
    const dedupeTtlMs = dedupeWindow(options.dedupeTtlMs);
    const sessionTtlMs = sessionWindow(options.sessionTtlMs);
    this.db = openDatabase({ ...options, busyTimeoutMs });
    // As on every store, a dedupe record lives its window, or the session TTL when that is shorter.
    this.pruner = new DedupePruner(this.db, Math.min(dedupeTtlMs, sessionTtlMs ?? dedupeTtlMs));
    let lastCommitAt: number | undefined;
    const writersClock: Clock = { now: () => lastCommitAt ?? systemClock.now() };
    this.expiry = new SessionExpiry(this.db, sessionTtlMs, options.clock ?? writersClock);
    this.statements = prepareStatements(this.db);
    this.listStatements = new ListStatements(this.db);
    this.apiKeys = new SqliteApiKeys(this.db, () => this.stats.reads++);
    this.live = new SqliteLive(this.db, this.expiry.clock, this.stats);
    this.writeCommit = this.db.transaction((request: CommitRequest, rows: CommitRows) => {
      this.expiry.clearIfExpired(request.ref.tenant, request.ref.sessionId, request.head.updatedAt);
      this.applyCommit(request, rows);
      this.pruner.afterCommit(request.head.updatedAt);
      this.expiry.afterCommit(request.head.updatedAt);
      lastCommitAt = Math.max(lastCommitAt ?? request.head.updatedAt, request.head.updatedAt);
    });
    // A read transaction, so the head and the events come from one snapshot even while another
    // process commits between the two SELECTs.
    this.readSnapshot = this.db.transaction((ref: SessionRef) => this.readSnapshotNow(ref));
  }

  async load(ref: SessionRef): Promise<SessionSnapshot | null> {
    this.stats.reads++;
    return this.guard(() => this.readSnapshot(ref));
  }

  async readHead(ref: SessionRef): Promise<Head | null> {
    this.stats.reads++;
    return this.guard(() => {
      const row = this.statements.head.get(ref.tenant, ref.sessionId);
      return row && !this.expiry.hidden(ref) ? parseHead(this.parseRow(row)) : null;
    });
  }

  async readEvents(
    ref: SessionRef,
    options: { afterSeq?: number; limit?: number } = {},
  ): Promise<SessionEvent[]> {
    this.stats.reads++;
    if (options.limit !== undefined && !(Number.isInteger(options.limit) && options.limit >= 0)) {
      throw new ValidationError('limit must be a non-negative integer', { field: 'limit' });
    }
    const limit = options.limit ?? -1; // SQLite reads LIMIT -1 as no limit
    return this.guard(() =>
      this.expiry.hidden(ref) ? [] : this.readEventRows(ref, options.afterSeq ?? 0, limit),
    );
  }

  async getDedupe(ref: SessionRef, dedupeKey: string): Promise<DedupeRecord | null> {
    this.stats.reads++;
    return this.guard(() => {
      const row = this.statements.dedupe.get(ref.tenant, ref.sessionId, dedupeKey);
      const record = row && !this.expiry.hidden(ref) ? parseDedupe(this.parseRow(row)) : null;
      return record && this.pruner.fresh(record.at, this.expiry.clock.now()) ? record : null;
    });
  }

  async commit(request: CommitRequest): Promise<void> {
    const rows = commitRows(request, this.limits.maxEventBytes);
    try {
      // IMMEDIATE takes the write lock before the version is read, so no other connection can
      // commit between the check and the write.
      this.writeCommit.immediate(request, rows);
    } catch (error) {
      if (error instanceof ConflictError) this.stats.conflicts++;
      throw translateSqliteError(error);
    }
    this.stats.commits++;
    this.stats.rowsWritten += 1 + rows.events.length + (rows.dedupe ? 1 : 0);
    this.stats.eventsWritten += rows.events.length;
    this.stats.bytesWritten += rows.bytes;
  }

  async list(query: ListQuery = {}): Promise<ListPage> {
    this.stats.reads++;
    const limit = pageLimit(query.limit, DEFAULT_LIST_LIMIT);
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const statement = this.listStatements.list({
      tenant: query.tenant !== undefined,
      status: query.status !== undefined,
      cursor: !!after,
    });
    return this.guard(() => {
      const rows = statement.all({
        tenant: query.tenant,
        status: query.status,
        ...afterParameters(after),
        limit: limit + 1,
      });
      return this.expiry.visible(keysetPage(rows, limit, (row) => parseHead(this.parseRow(row))));
    });
  }

  /** One query of the partial index heads_pending: it holds the rows with pending work only. */
  async listPending(query: PendingQuery = {}): Promise<ListPage> {
    this.stats.reads++;
    const limit = pageLimit(query.limit, DEFAULT_LIST_LIMIT);
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const statement = this.listStatements.pending(!!after);
    return this.guard(() => {
      const rows = statement.all({ ...afterParameters(after), limit: limit + 1 });
      return this.expiry.visible(keysetPage(rows, limit, (row) => parseHead(this.parseRow(row))));
    });
  }

  async delete(ref: SessionRef): Promise<void> {
    const { deleteEvents, deleteDedupe, deleteHead } = this.statements;
    const remove = () => {
      for (const s of [deleteEvents, deleteDedupe, deleteHead]) s.run(ref.tenant, ref.sessionId);
      this.live.removeNow(ref);
    };
    this.guard(() => this.db.transaction(remove).immediate());
  }

  /** Deletes every expired session (whole) and dedupe record now, not during later commits. */
  async pruneExpired(now = this.expiry.clock.now()): Promise<{ sessions: number; dedupe: number }> {
    return this.guard(() => this.db.transaction(() => this.expiry.pruneAll(now, this.pruner)).immediate());
  }

  /** Closes the connection if this store opened it. Safe to call twice. */
  async close(): Promise<void> {
    if (this.ownsDatabase && this.db.open) this.db.close();
  }

  private applyCommit(request: CommitRequest, rows: CommitRows): void {
    const { tenant, sessionId } = request.ref;
    const current = this.statements.headVersion.get(tenant, sessionId);
    if ((current?.version ?? null) !== request.expectedVersion) throw new ConflictError();
    assertSameIncarnation(current, request.head);
    const previousSeq = request.head.seq - rows.events.length;
    if ((current?.seq ?? 0) !== previousSeq) {
      throw new ValidationError(
        `events must continue the log after seq ${current?.seq ?? 0}, not ${previousSeq}`,
      );
    }
    const seen = rows.dedupe && this.statements.dedupe.get(tenant, sessionId, rows.dedupe.dedupeKey);
    const original = seen ? parseDedupe(parseStoredJson(seen.record)) : null;
    if (original && this.pruner.fresh(original.at, request.head.updatedAt))
      throw new DuplicateError(original);
    // Past its window but not pruned yet: it counts as absent, and this commit records the key anew.
    if (original) this.statements.deleteDedupeKey.run(tenant, sessionId, original.dedupeKey);
    const { version, seq, status, updatedAt } = request.head;
    // The pending flag goes in the same row write as the head, so it can never disagree with it.
    const pending = hasPendingWork(request.head) ? 1 : 0;
    if (current) {
      this.statements.updateHead.run(
        version,
        seq,
        status,
        updatedAt,
        rows.head,
        pending,
        tenant,
        sessionId,
        current.version,
      );
    } else {
      this.statements.insertHead.run(tenant, sessionId, version, seq, status, updatedAt, rows.head, pending);
    }
    for (const event of rows.events)
      this.statements.insertEvent.run(tenant, sessionId, event.seq, event.record);
    if (rows.dedupe)
      this.statements.insertDedupe.run(tenant, sessionId, rows.dedupe.dedupeKey, rows.dedupe.record);
  }

  private readSnapshotNow(ref: SessionRef): SessionSnapshot | null {
    const row = this.statements.head.get(ref.tenant, ref.sessionId);
    if (!row || this.expiry.hidden(ref)) return null;
    const head = parseHead(this.parseRow(row));
    return { head, events: this.readEventRows(ref, head.contextStart - 1, -1) };
  }

  /** Events after `afterSeq`, at most `limit` (-1: all), with the one before when the first needs it. */
  private readEventRows(ref: SessionRef, afterSeq: number, limit: number): SessionEvent[] {
    const records = this.statements.events
      .all(ref.tenant, ref.sessionId, afterSeq, limit)
      .map((row) => this.parseRow(row));
    const needed = eventNeededBefore(records);
    const row =
      needed === null ? undefined : this.statements.events.get(ref.tenant, ref.sessionId, needed - 1, 1);
    return parseEvents(records, row ? parseEvents([this.parseRow(row)])[0] : undefined);
  }

  private parseRow(row: RecordRow): unknown {
    this.stats.rowsRead++;
    this.stats.bytesRead += Buffer.byteLength(row.record, 'utf8');
    return parseStoredJson(row.record);
  }

  private guard<T>(read: () => T): T {
    try {
      return read();
    } catch (error) {
      throw translateSqliteError(error);
    }
  }
}
