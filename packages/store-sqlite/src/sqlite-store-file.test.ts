import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConflictError,
  SCHEMA_VERSION,
  SchemaVersionError,
  type SessionEvent,
  type SessionRef,
  type SessionStore,
  ThrottledError,
  ValidationError,
} from '@baton/core';
import { headRecord, newHead } from '@baton/core/store';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { SQL_SCHEMA_VERSION } from './schema.js';
import { SqliteStore } from './sqlite-store.js';

const dir = mkdtempSync(join(tmpdir(), 'baton-sqlite-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshPath = () => join(dir, `store-${++files}`, 'sessions.db');

function input(seq: number, text: string): SessionEvent {
  return { kind: 'input', text, source: 'test', v: SCHEMA_VERSION, seq, at: 1_000 + seq };
}

/** Appends one input on top of whatever head the store holds now, retrying when another writer won. */
async function appendWithRetry(store: SessionStore, ref: SessionRef, text: string): Promise<void> {
  for (;;) {
    const head = await store.readHead(ref);
    if (!head) throw new Error('session missing');
    const event = input(head.seq + 1, text);
    const next = { ...head, version: head.version + 1, seq: event.seq, lastInputSeq: event.seq };
    try {
      return await store.commit({ ref, expectedVersion: head.version, head: next, events: [event] });
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
  }
}

async function create(store: SessionStore, ref: SessionRef, events: SessionEvent[] = []) {
  const head = { ...newHead(ref.tenant, ref.sessionId, 'agent', 1_000), version: 1, seq: events.length };
  await store.commit({ ref, expectedVersion: null, head, events });
  return head;
}

describe('SqliteStore', () => {
  const ref = { tenant: 'acme', sessionId: 'support/42' };

  it('keeps sessions across a close and a reopen of the file', async () => {
    const path = freshPath();
    const first = new SqliteStore({ path });
    const head = await create(first, ref, [input(1, 'remember me')]);
    await first.close();
    await first.close();

    const second = new SqliteStore({ path });
    expect(await second.load(ref)).toEqual({ head, events: [input(1, 'remember me')] });
    await second.close();
  });

  it('serializes concurrent commits of two stores on one file', async () => {
    const path = freshPath();
    const left = new SqliteStore({ path });
    const right = new SqliteStore({ path });
    await create(left, ref);

    const texts = Array.from({ length: 20 }, (_, index) => `w${index}`);
    await Promise.all(texts.map((text, index) => appendWithRetry(index % 2 ? left : right, ref, text)));

    for (const store of [left, right]) {
      const events = await store.readEvents(ref);
      expect(events.map((event) => event.seq)).toEqual(texts.map((_, index) => index + 1));
      expect(events.map((event) => (event.kind === 'input' ? event.text : '')).sort()).toEqual(
        [...texts].sort(),
      );
    }
    expect(left.stats.conflicts + right.stats.conflicts).toBeGreaterThan(0);
    await left.close();
    await right.close();
  });

  it('throws ThrottledError when another connection holds the write lock past the busy timeout', async () => {
    const path = freshPath();
    const store = new SqliteStore({ path, busyTimeoutMs: 0 });
    const head = await create(store, ref);
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');

    const next = { ...head, version: 2, seq: 1 };
    const attempt = store.commit({ ref, expectedVersion: 1, head: next, events: [input(1, 'blocked')] });
    await expect(attempt).rejects.toBeInstanceOf(ThrottledError);
    other.exec('ROLLBACK');
    other.close();

    await store.commit({ ref, expectedVersion: 1, head: next, events: [input(1, 'blocked')] });
    expect(await store.readEvents(ref)).toEqual([input(1, 'blocked')]);
    await store.close();
  });

  it('opens the file in WAL mode with the current SQL schema version', async () => {
    const path = freshPath();
    const store = new SqliteStore({ path });
    const raw = new Database(path, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(raw.pragma('user_version', { simple: true })).toBe(SQL_SCHEMA_VERSION);
    raw.close();
    await store.close();
  });

  it('refuses a file whose SQL schema is newer than this Baton', () => {
    const path = freshPath();
    new SqliteStore({ path }).close();
    const raw = new Database(path);
    raw.pragma('user_version = 99');
    raw.close();

    expect(() => new SqliteStore({ path })).toThrow(SchemaVersionError);
  });

  it('rejects a commit whose events do not continue the log, and writes nothing', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    const head = await create(store, ref, [input(1, 'one')]);

    // Seq 3 after seq 1 would leave a gap; the head claims it anyway.
    const gap = store.commit({
      ref,
      expectedVersion: 1,
      head: { ...head, version: 2, seq: 3 },
      events: [input(3, 'three')],
    });
    await expect(gap).rejects.toBeInstanceOf(ValidationError);
    const wrongVersion = store.commit({
      ref,
      expectedVersion: 1,
      head: { ...head, version: 5, seq: 2 },
      events: [input(2, 'two')],
    });
    await expect(wrongVersion).rejects.toBeInstanceOf(ValidationError);
    expect(await store.readEvents(ref)).toEqual([input(1, 'one')]);
    await store.close();
  });

  it('rejects a list cursor it did not issue', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    await expect(store.list({ cursor: 'bm90IGEgY3Vyc29y' })).rejects.toBeInstanceOf(ValidationError);
    await expect(store.list({ limit: 0 })).rejects.toBeInstanceOf(ValidationError);
    await store.close();
  });

  it('counts commits, rows, bytes and reads in stats', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    const head = await create(store, ref, [input(1, 'one')]);
    await store.commit({
      ref,
      expectedVersion: 1,
      head: { ...head, version: 2, seq: 3 },
      events: [input(2, 'two'), input(3, 'three')],
      dedupe: { dedupeKey: 'k', result: 'ok' },
    });
    await expect(
      store.commit({ ref, expectedVersion: 1, head: { ...head, version: 2 }, events: [] }),
    ).rejects.toBeInstanceOf(ConflictError);
    await store.load(ref);

    expect(store.stats).toMatchObject({
      commits: 2,
      conflicts: 1,
      rowsWritten: 6,
      eventsWritten: 3,
      reads: 1,
      rowsRead: 4,
    });
    expect(store.stats.bytesWritten).toBeGreaterThan(JSON.stringify(headRecord(head)).length * 2);
    await store.close();
  });
});
