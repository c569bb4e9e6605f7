import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LiveSnapshot } from '@baton/core/store';
import { newHead } from '@baton/core/store';
import { ManualClock } from '@baton/testing';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { LIVE_PRUNE_BATCH, LIVE_PRUNE_EVERY_WRITES } from './live-table.js';
import { SqliteStore } from './sqlite-store.js';

const dir = mkdtempSync(join(tmpdir(), 'baton-sqlite-live-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshPath = () => join(dir, `live-${++files}.db`);
const ref = { tenant: 'acme', sessionId: 'ticket-1' };
const snapshot = (text: string, at: number, ttlMs = 60_000): LiveSnapshot => ({
  afterSeq: 1,
  runId: 'run-1',
  text,
  toolCalls: [],
  updatedAt: at,
  expiresAt: at + ttlMs,
});
const liveRows = (path: string) => {
  const raw = new Database(path, { readonly: true });
  const { n } = raw.prepare('SELECT count(*) AS n FROM live').get() as { n: number };
  raw.close();
  return n;
};

describe('SqliteStore.live', () => {
  it('shows a snapshot written by another connection (another process) at once', async () => {
    const path = freshPath();
    const clock = new ManualClock();
    const worker = new SqliteStore({ path, clock });
    const server = new SqliteStore({ path, clock });
    await worker.live.write(ref, snapshot('Hel', clock.now()));
    expect(await server.live.read(ref)).toMatchObject({ text: 'Hel' });
    await worker.live.write(ref, snapshot('Hello', clock.now()));
    expect(await server.live.read(ref)).toMatchObject({ text: 'Hello' });
    expect(worker.stats).toMatchObject({ commits: 0, rowsWritten: 0, liveWrites: 2 });
    expect(server.stats).toMatchObject({ reads: 0, liveReads: 2 });
    await worker.close();
    await server.close();
  });

  it('adds the live table to a file of schema 4, keeping its sessions', async () => {
    const path = freshPath();
    const first = new SqliteStore({ path });
    const head = { ...newHead(ref.tenant, ref.sessionId, 'helper', 1_000), version: 1 };
    await first.commit({ ref, expectedVersion: null, head, events: [] });
    await first.close();
    const raw = new Database(path);
    raw.exec('DROP TABLE live_watch; DROP TABLE live');
    raw.pragma('user_version = 4');
    raw.close();

    const upgraded = new SqliteStore({ path });
    await upgraded.live.write(ref, snapshot('hi', Date.now()));
    expect(await upgraded.live.read(ref)).toMatchObject({ text: 'hi' });
    expect(await upgraded.readHead(ref)).toEqual(head);
    await upgraded.close();
  });

  it('deletes the rows of runs that never cleared, a bounded batch every so many writes', async () => {
    const path = freshPath();
    const clock = new ManualClock();
    const store = new SqliteStore({ path, clock });
    const abandoned = LIVE_PRUNE_BATCH + 4;
    for (let i = 0; i < abandoned; i++) {
      await store.live.write({ tenant: 'acme', sessionId: `crashed-${i}` }, snapshot('x', clock.now(), 1000));
    }
    clock.advance(1000);
    for (let i = abandoned; i < LIVE_PRUNE_EVERY_WRITES - 1; i++)
      await store.live.write(ref, snapshot('y', clock.now()));
    expect(liveRows(path)).toBe(abandoned + 1);
    await store.live.write(ref, snapshot('z', clock.now()));
    expect(liveRows(path)).toBe(abandoned + 1 - LIVE_PRUNE_BATCH);
    expect(await store.live.read(ref)).toMatchObject({ text: 'z' });
    await store.close();
  });

  it('removes a live row with its session when the session expires', async () => {
    const path = freshPath();
    const clock = new ManualClock();
    const store = new SqliteStore({ path, clock, sessionTtlMs: 60_000 });
    const head = { ...newHead(ref.tenant, ref.sessionId, 'helper', clock.now()), version: 1 };
    await store.commit({ ref, expectedVersion: null, head, events: [] });
    await store.live.write(ref, snapshot('left behind', clock.now(), 3_600_000));
    clock.advance(60_000);
    await store.pruneExpired();
    expect(liveRows(path)).toBe(0);
    await store.close();
  });
});
