import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Head, SessionRef } from '@baton/core';
import { newHead } from '@baton/core/store';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { PRUNE_BATCH, PRUNE_EVERY_COMMITS } from './dedupe-prune.js';
import { SqliteStore } from './sqlite-store.js';

// Issue 15, defect 7: SQLite never pruned dedupe rows (404 rows after one load test, removed only by
// DELETE of their session). They now expire after a window, pruned in bounded batches by commits.
const dir = mkdtempSync(join(tmpdir(), 'baton-sqlite-dedupe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshPath = () => join(dir, `store-${++files}.db`);

const DAY = 86_400_000;
const WINDOW = 7 * DAY;

/** A clock the test moves; heads are stamped with it, as core stamps them with its clock. */
const fakeClock = (start: number) => ({
  ms: start,
  now() {
    return this.ms;
  },
});

/** One commit on the session: a head one version on, stamped now, recording `dedupeKey` if given. */
async function touch(store: SqliteStore, ref: SessionRef, now: number, dedupeKey?: string): Promise<void> {
  const head = await store.readHead(ref);
  const base: Head = head ?? { ...newHead(ref.tenant, ref.sessionId, 'agent', now), version: 0 };
  await store.commit({
    ref,
    expectedVersion: head ? head.version : null,
    head: { ...base, version: base.version + 1, updatedAt: now },
    events: [],
    ...(dedupeKey ? { dedupe: { dedupeKey, result: { ok: dedupeKey } } } : {}),
  });
}

function dedupeRows(path: string): number {
  const db = new Database(path, { readonly: true });
  const { n } = db.prepare('SELECT count(*) AS n FROM dedupe').get() as { n: number };
  db.close();
  return n;
}

describe('SqliteStore dedupe records', () => {
  it('are kept for the window, then pruned by a later commit (7 days by default)', async () => {
    const path = freshPath();
    const clock = fakeClock(1_000_000);
    const ref = { tenant: 'acme', sessionId: 'old' };
    const first = new SqliteStore({ path, clock });
    await touch(first, ref, clock.ms, 'slack:event-1');
    await first.close();

    // Just inside the window: a redelivery is still recognised.
    clock.ms += WINDOW - 1;
    const inside = new SqliteStore({ path, clock });
    await touch(inside, { tenant: 'acme', sessionId: 'other' }, clock.ms);
    expect(await inside.getDedupe(ref, 'slack:event-1')).toMatchObject({ dedupeKey: 'slack:event-1' });
    await inside.close();

    clock.ms += 2;
    const after = new SqliteStore({ path, clock });
    await touch(after, { tenant: 'acme', sessionId: 'other' }, clock.ms, 'recent');
    expect(await after.getDedupe(ref, 'slack:event-1')).toBeNull();
    expect(await after.getDedupe({ tenant: 'acme', sessionId: 'other' }, 'recent')).not.toBeNull();
    // The session itself is untouched: only its dedupe record expired.
    expect(await after.readHead(ref)).toMatchObject({ version: 1 });
    await after.close();
  });

  it('prune at most one batch per commit, every few commits, until the backlog is gone', async () => {
    const path = freshPath();
    const clock = fakeClock(1_000_000);
    const writer = new SqliteStore({ path, dedupeTtlMs: 1_000, clock });
    const total = 2 * PRUNE_BATCH + 10;
    for (let index = 0; index < total; index++) {
      await touch(writer, { tenant: 'acme', sessionId: `s${index}` }, clock.ms, `k${index}`);
    }
    await writer.close();
    expect(dedupeRows(path)).toBe(total);

    clock.ms += 1_001;
    const store = new SqliteStore({ path, dedupeTtlMs: 1_000 });
    const busy = { tenant: 'acme', sessionId: 'busy' };
    await touch(store, busy, clock.ms); // the first commit after open prunes one batch
    expect(dedupeRows(path)).toBe(total - PRUNE_BATCH);
    await touch(store, busy, clock.ms); // a full batch means more is due: the next commit prunes again
    expect(dedupeRows(path)).toBe(10);
    await touch(store, busy, clock.ms); // the last, partial batch
    expect(dedupeRows(path)).toBe(0);

    // Nothing due now: the next prune waits PRUNE_EVERY_COMMITS commits.
    await touch(store, busy, clock.ms, 'fresh');
    clock.ms += 1_001;
    for (let index = 0; index < PRUNE_EVERY_COMMITS - 2; index++) await touch(store, busy, clock.ms);
    expect(dedupeRows(path)).toBe(1);
    await touch(store, busy, clock.ms);
    expect(dedupeRows(path)).toBe(0);
    await store.close();
  });

  it('finds the oldest rows through the dedupe_by_age index, not a scan', () => {
    const path = freshPath();
    new SqliteStore({ path }).close();
    const db = new Database(path, { readonly: true });
    const plan = db
      .prepare(
        `EXPLAIN QUERY PLAN SELECT rowid FROM dedupe WHERE recorded_at < ? ORDER BY recorded_at LIMIT ?`,
      )
      .all(0, PRUNE_BATCH) as { detail: string }[];
    db.close();
    expect(plan.map((row) => row.detail).join('; ')).toMatch(
      /USING (COVERING )?INDEX dedupe_by_age \(recorded_at<\?\)/,
    );
  });

  it('refuses a window that is not a positive number of milliseconds', () => {
    expect(() => new SqliteStore({ path: ':memory:', dedupeTtlMs: 0 })).toThrow(/dedupeTtlMs/);
  });
});
