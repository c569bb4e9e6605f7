import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  isRetryable,
  SCHEMA_VERSION,
  type SessionEvent,
  type SessionRef,
  StoreCorruptError,
  StoreFullError,
} from '@baton/core';
import { newHead } from '@baton/core/store';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from './sqlite-store.js';

// Issue 15, defect 8: a damaged file started normally and answered 500 `internal`, retryable, with
// "malformed" only in the log; a full disk was 500 `internal` too.
const dir = mkdtempSync(join(tmpdir(), 'baton-sqlite-faults-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshPath = () => join(dir, `store-${++files}.db`);

const text = 'x'.repeat(1_500);
const input = (seq: number): SessionEvent => ({
  kind: 'input',
  text,
  source: 'test',
  v: SCHEMA_VERSION,
  seq,
  at: 1_000 + seq,
});

/** A session of `count` inputs of 1.5 kB each, committed in one commit. */
async function create(store: SqliteStore, ref: SessionRef, count: number): Promise<void> {
  const events = Array.from({ length: count }, (_, index) => input(index + 1));
  const head = { ...newHead(ref.tenant, ref.sessionId, 'agent', 1_000), version: 1, seq: count };
  await store.commit({ ref, expectedVersion: null, head, events });
}

/** A real file with sessions in it, closed (its WAL checkpointed into the file). */
async function filledFile(): Promise<string> {
  const path = freshPath();
  const store = new SqliteStore({ path });
  for (let index = 0; index < 5; index++) await create(store, { tenant: 'acme', sessionId: `s${index}` }, 40);
  await store.close();
  return path;
}

/** Overwrites every page of one table (or index) of a closed file with bytes no b-tree page starts with. */
function garblePages(path: string, name: string): void {
  const db = new Database(path, { readonly: true });
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const pages = db.prepare('SELECT pageno FROM dbstat WHERE name = ?').all(name) as { pageno: number }[];
  db.close();
  expect(pages.length).toBeGreaterThan(0);
  const fd = openSync(path, 'r+');
  for (const { pageno } of pages)
    writeSync(fd, Buffer.alloc(pageSize, 0xff), 0, pageSize, (pageno - 1) * pageSize);
  closeSync(fd);
}

function thrown(open: () => unknown): unknown {
  try {
    open();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

describe('SqliteStore on a damaged file', () => {
  it('refuses to open a file whose pages fail the integrity check, in one line naming the file and the fix', async () => {
    const path = await filledFile();
    garblePages(path, 'events');
    const error = thrown(() => new SqliteStore({ path }));
    expect(error).toBeInstanceOf(StoreCorruptError);
    expect(error).toMatchObject({ code: 'store_corrupt', retryable: false, status: 500 });
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    expect(message).toContain(path);
    expect(message).toMatch(/restore it from a backup/);
    expect(message).toMatch(/move it aside/);
  });

  it('refuses a file that is not a SQLite database at all', () => {
    const path = freshPath();
    writeFileSync(path, Buffer.alloc(64 * 1024, 0x5a));
    const error = thrown(() => new SqliteStore({ path }));
    expect(error).toMatchObject({ code: 'store_corrupt', retryable: false });
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).not.toContain('\n');
  });

  it('checks the heads table even of a file too large for the full check', async () => {
    const path = await filledFile();
    garblePages(path, 'heads');
    const error = thrown(() => new SqliteStore({ path, integrityCheckMaxBytes: 0 }));
    expect(error).toMatchObject({ code: 'store_corrupt', retryable: false });
  });

  it('answers store_corrupt, not retryable, when damage the open did not check is read', async () => {
    const path = await filledFile();
    garblePages(path, 'events');
    // Over the size limit of the full check: only the small tables are checked, so this opens.
    const store = new SqliteStore({ path, integrityCheckMaxBytes: 0 });
    const error = await store.load({ tenant: 'acme', sessionId: 's2' }).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(StoreCorruptError);
    expect(isRetryable(error)).toBe(false);
    expect((error as Error).message).toMatch(/restore/);
    await store.close();
  });

  it('refuses to open a path SQLite cannot open, naming the file', () => {
    const path = mkdtempSync(join(dir, 'a-folder-'));
    const error = thrown(() => new SqliteStore({ path }));
    expect(error).toMatchObject({ code: 'store_unavailable' });
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).not.toContain('\n');
  });
});

describe('SqliteStore on a full disk', () => {
  it('answers store_full (507, not retryable) when a commit finds no room, and keeps what it had', async () => {
    const path = freshPath();
    const db = new Database(path);
    const store = new SqliteStore({ database: db });
    await create(store, { tenant: 'acme', sessionId: 'before' }, 1);
    // A disk that is full as of now: SQLite may not grow the file past its current page count.
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
    const error = await create(store, { tenant: 'acme', sessionId: 'big' }, 200).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(StoreFullError);
    expect(error).toMatchObject({ code: 'store_full', status: 507, retryable: false });
    expect(await store.load({ tenant: 'acme', sessionId: 'big' })).toBeNull();
    expect(await store.readHead({ tenant: 'acme', sessionId: 'before' })).not.toBeNull();
    await store.close();
    db.close();
  });
});
