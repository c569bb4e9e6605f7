import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Head } from '@baton/core';
import { newHead } from '@baton/core/store';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from './sqlite-store.js';

const dir = mkdtempSync(join(tmpdir(), 'baton-sqlite-pending-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The heads table of schema version 1 (schema.ts's first migration, which never changes). */
const VERSION_1 = `
  CREATE TABLE heads (
    tenant TEXT NOT NULL, session_id TEXT NOT NULL, version INTEGER NOT NULL, seq INTEGER NOT NULL,
    status TEXT NOT NULL, updated_at INTEGER NOT NULL, record TEXT NOT NULL,
    PRIMARY KEY (tenant, session_id)
  );
  CREATE INDEX heads_by_tenant_recency ON heads (tenant, updated_at DESC, session_id);
  CREATE INDEX heads_by_recency ON heads (updated_at DESC, tenant, session_id);
  CREATE TABLE events (
    tenant TEXT NOT NULL, session_id TEXT NOT NULL, seq INTEGER NOT NULL, record TEXT NOT NULL,
    PRIMARY KEY (tenant, session_id, seq)
  );
  CREATE TABLE dedupe (
    tenant TEXT NOT NULL, session_id TEXT NOT NULL, dedupe_key TEXT NOT NULL, record TEXT NOT NULL,
    PRIMARY KEY (tenant, session_id, dedupe_key)
  );
  PRAGMA user_version = 1;
`;

const AT = Date.UTC(2026, 0, 1);
const head = (id: string, change: Partial<Head>): Head => ({
  ...newHead('acme', id, 'helper', AT),
  version: 1,
  ...change,
});

describe('SqliteStore on a file written before the pending index', () => {
  it('puts exactly the sessions with pending work in the sweeper index when it opens the file (no backfill to run)', async () => {
    const path = join(dir, 'old.db');
    const old = new Database(path);
    old.exec(VERSION_1);
    const insert = old.prepare(
      'INSERT INTO heads (tenant, session_id, version, seq, status, updated_at, record) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const heads = [
      head('running', { status: 'running' }),
      head('decided', { status: 'waiting_approval', seq: 4, lastInputSeq: 4, processedSeq: 3 }),
      head('awaiting', { status: 'waiting_approval', seq: 3, lastInputSeq: 2, processedSeq: 3 }),
      head('failed', { status: 'failed' }),
      head('idle', {}),
    ];
    // Records as the Baton of that schema wrote them: the head's JSON with its long field names.
    for (const one of heads) {
      const record = JSON.stringify({ ...one, v: 2 });
      insert.run(one.tenant, one.sessionId, one.version, one.seq, one.status, one.updatedAt, record);
    }
    old.close();

    const store = new SqliteStore({ path });
    try {
      const pending = await store.listPending({ limit: 10 });
      expect(pending.sessions.map((one) => one.sessionId).sort()).toEqual(['decided', 'running']);
      expect(pending.cursor).toBeUndefined();
    } finally {
      await store.close();
    }
  });
});
