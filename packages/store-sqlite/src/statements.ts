import type { SessionStatus } from '@baton/core';
import type Database from 'better-sqlite3';

type Key = [tenant: string, sessionId: string];

export interface RecordRow {
  record: string;
}

export interface HeadListRow extends RecordRow {
  tenant: string;
  session_id: string;
  updated_at: number;
}

/** Typed by name so the declaration file can say what each statement is. */
export type Statement<P extends unknown[], R = unknown> = Database.Statement<P, R>;

function prepare<P extends unknown[], R = unknown>(db: Database.Database, sql: string): Statement<P, R> {
  return db.prepare<P, R>(sql);
}

export interface HeadCheckRow {
  version: number;
  seq: number;
  incarnation: string | null;
}

export interface Statements {
  head: Statement<Key, RecordRow>;
  /** What a commit checks: version, seq and incarnation (null on a head stored before incarnations). */
  headVersion: Statement<Key, HeadCheckRow>;
  events: Statement<[...Key, afterSeq: number, limit: number], RecordRow>;
  dedupe: Statement<[...Key, dedupeKey: string], RecordRow>;
  insertHead: Statement<
    [
      ...Key,
      version: number,
      seq: number,
      status: SessionStatus,
      updatedAt: number,
      record: string,
      pending: number,
    ]
  >;
  updateHead: Statement<
    [
      version: number,
      seq: number,
      status: SessionStatus,
      updatedAt: number,
      record: string,
      pending: number,
      ...Key,
      expected: number,
    ]
  >;
  insertEvent: Statement<[...Key, seq: number, record: string]>;
  insertDedupe: Statement<[...Key, dedupeKey: string, record: string]>;
  deleteHead: Statement<Key>;
  deleteEvents: Statement<Key>;
  deleteDedupe: Statement<Key>;
  deleteDedupeKey: Statement<[...Key, dedupeKey: string]>;
}

/** Statements prepared once per connection; every query names the full session key, never a prefix. */
export function prepareStatements(db: Database.Database): Statements {
  return {
    head: prepare<Key, RecordRow>(db, 'SELECT record FROM heads WHERE tenant = ? AND session_id = ?'),
    headVersion: prepare<Key, HeadCheckRow>(
      db,
      // json_valid first: a tampered record must not fail the commit here (reads report it).
      `SELECT version, seq,
         CASE WHEN json_valid(record)
           THEN COALESCE(json_extract(record, '$.i'), json_extract(record, '$.incarnation')) END AS incarnation
       FROM heads WHERE tenant = ? AND session_id = ?`,
    ),
    events: prepare<[...Key, afterSeq: number, limit: number], RecordRow>(
      db,
      'SELECT record FROM events WHERE tenant = ? AND session_id = ? AND seq > ? ORDER BY seq LIMIT ?',
    ),
    dedupe: prepare<[...Key, dedupeKey: string], RecordRow>(
      db,
      'SELECT record FROM dedupe WHERE tenant = ? AND session_id = ? AND dedupe_key = ?',
    ),
    insertHead: prepare<
      [
        ...Key,
        version: number,
        seq: number,
        status: SessionStatus,
        updatedAt: number,
        record: string,
        pending: number,
      ]
    >(
      db,
      `INSERT INTO heads (tenant, session_id, version, seq, status, updated_at, record, pending)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    updateHead: prepare<
      [
        version: number,
        seq: number,
        status: SessionStatus,
        updatedAt: number,
        record: string,
        pending: number,
        ...Key,
        expected: number,
      ]
    >(
      db,
      `UPDATE heads SET version = ?, seq = ?, status = ?, updated_at = ?, record = ?, pending = ?
       WHERE tenant = ? AND session_id = ? AND version = ?`,
    ),
    insertEvent: prepare<[...Key, seq: number, record: string]>(
      db,
      'INSERT INTO events (tenant, session_id, seq, record) VALUES (?, ?, ?, ?)',
    ),
    insertDedupe: prepare<[...Key, dedupeKey: string, record: string]>(
      db,
      'INSERT INTO dedupe (tenant, session_id, dedupe_key, record) VALUES (?, ?, ?, ?)',
    ),
    deleteHead: prepare<Key>(db, 'DELETE FROM heads WHERE tenant = ? AND session_id = ?'),
    deleteEvents: prepare<Key>(db, 'DELETE FROM events WHERE tenant = ? AND session_id = ?'),
    deleteDedupe: prepare<Key>(db, 'DELETE FROM dedupe WHERE tenant = ? AND session_id = ?'),
    deleteDedupeKey: prepare<[...Key, dedupeKey: string]>(
      db,
      'DELETE FROM dedupe WHERE tenant = ? AND session_id = ? AND dedupe_key = ?',
    ),
  };
}

/**
 * The list query for one combination of filters, newest first. Ties on updated_at are broken by the
 * session key, so the keyset cursor (the last row's sort key) never skips or repeats a session.
 */
export function listSql(filters: { tenant: boolean; status: boolean; cursor: boolean }): string {
  const where: string[] = [];
  if (filters.tenant) where.push('tenant = @tenant');
  if (filters.status) where.push('status = @status');
  if (filters.cursor) {
    where.push(
      `(updated_at < @updatedAt OR (updated_at = @updatedAt AND
        (tenant > @afterTenant OR (tenant = @afterTenant AND session_id > @afterSessionId))))`,
    );
  }
  return `SELECT record, tenant, session_id, updated_at FROM heads
    ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY updated_at DESC, tenant, session_id
    LIMIT @limit`;
}

/**
 * The pending query: rows of the partial index heads_pending only (the `pending = 1` term is what
 * lets SQLite use it), oldest update first, with a keyset cursor like list's.
 */
export function pendingSql(cursor: boolean): string {
  return `SELECT record, tenant, session_id, updated_at FROM heads
    WHERE pending = 1${
      cursor
        ? ` AND (updated_at > @updatedAt OR (updated_at = @updatedAt AND
        (tenant > @afterTenant OR (tenant = @afterTenant AND session_id > @afterSessionId))))`
        : ''
    }
    ORDER BY updated_at, tenant, session_id
    LIMIT @limit`;
}

type ListStatement = Statement<[Record<string, unknown>], HeadListRow>;

/** The list and pending queries, each combination of filters prepared on first use. */
export class ListStatements {
  private readonly cache = new Map<string, ListStatement>();

  constructor(private readonly db: Database.Database) {}

  list(filters: { tenant: boolean; status: boolean; cursor: boolean }): ListStatement {
    return this.get(`list/${filters.tenant}/${filters.status}/${filters.cursor}`, () => listSql(filters));
  }

  pending(cursor: boolean): ListStatement {
    return this.get(`pending/${cursor}`, () => pendingSql(cursor));
  }

  private get(key: string, sql: () => string): ListStatement {
    let statement = this.cache.get(key);
    if (!statement) {
      statement = prepare<[Record<string, unknown>], HeadListRow>(this.db, sql());
      this.cache.set(key, statement);
    }
    return statement;
  }
}
