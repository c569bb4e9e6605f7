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

/** Statements prepared once per connection; every query names the full session key, never a prefix. */
export function prepareStatements(db: Database.Database) {
  return {
    head: db.prepare<Key, RecordRow>('SELECT record FROM heads WHERE tenant = ? AND session_id = ?'),
    headVersion: db.prepare<Key, { version: number; seq: number }>(
      'SELECT version, seq FROM heads WHERE tenant = ? AND session_id = ?',
    ),
    events: db.prepare<[...Key, afterSeq: number, limit: number], RecordRow>(
      'SELECT record FROM events WHERE tenant = ? AND session_id = ? AND seq > ? ORDER BY seq LIMIT ?',
    ),
    dedupe: db.prepare<[...Key, dedupeKey: string], RecordRow>(
      'SELECT record FROM dedupe WHERE tenant = ? AND session_id = ? AND dedupe_key = ?',
    ),
    insertHead: db.prepare<
      [...Key, version: number, seq: number, status: SessionStatus, updatedAt: number, record: string]
    >(
      `INSERT INTO heads (tenant, session_id, version, seq, status, updated_at, record)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    updateHead: db.prepare<
      [
        version: number,
        seq: number,
        status: SessionStatus,
        updatedAt: number,
        record: string,
        ...Key,
        expected: number,
      ]
    >(
      `UPDATE heads SET version = ?, seq = ?, status = ?, updated_at = ?, record = ?
       WHERE tenant = ? AND session_id = ? AND version = ?`,
    ),
    insertEvent: db.prepare<[...Key, seq: number, record: string]>(
      'INSERT INTO events (tenant, session_id, seq, record) VALUES (?, ?, ?, ?)',
    ),
    insertDedupe: db.prepare<[...Key, dedupeKey: string, record: string]>(
      'INSERT INTO dedupe (tenant, session_id, dedupe_key, record) VALUES (?, ?, ?, ?)',
    ),
    deleteHead: db.prepare<Key>('DELETE FROM heads WHERE tenant = ? AND session_id = ?'),
    deleteEvents: db.prepare<Key>('DELETE FROM events WHERE tenant = ? AND session_id = ?'),
    deleteDedupe: db.prepare<Key>('DELETE FROM dedupe WHERE tenant = ? AND session_id = ?'),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;

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
