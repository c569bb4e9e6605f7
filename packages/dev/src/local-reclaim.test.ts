import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireLease, newHead, sessionRef, silentLogger } from '@baton/core';
import { SqliteStore } from '@baton/store-sqlite';
import { ManualClock } from '@baton/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteRunQueue } from './local-queue.js';
import { reclaimPredecessors } from './local-reclaim.js';

/** The pid of a process that has exited (and been reaped): a server that was SIGKILLed. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid!;
}

const opened: { close(): unknown }[] = [];
afterEach(async () => {
  for (const item of opened.splice(0).reverse()) await item.close();
});

function world() {
  const clock = new ManualClock();
  const path = join(mkdtempSync(join(tmpdir(), 'baton-reclaim-')), 'baton.db');
  const store = new SqliteStore({ path });
  const queue = new SqliteRunQueue(path, clock);
  opened.push(queue, store);
  const message = (id: string) => ({
    v: 1 as const,
    tenant: 'acme',
    sessionId: id,
    reason: 'input' as const,
    dedupeKey: id,
  });
  return { clock, store, queue, message };
}

async function runningSession(t: ReturnType<typeof world>, id: string, owner: string) {
  const ref = sessionRef('acme', id);
  await t.store.commit({
    ref,
    expectedVersion: null,
    head: { ...newHead(ref.tenant, ref.sessionId, 'a', t.clock.now()), version: 1 },
    events: [],
  });
  return acquireLease(t.store, ref, { owner, clock: t.clock, leaseMs: 15_000 });
}

describe('a restarted local server', () => {
  it('takes back at once the leases and messages of a predecessor that died', async () => {
    const t = world();
    const dead = { incarnation: 'local-dead', pid: deadPid() };
    expect(t.queue.registerServer(dead, () => true)).toEqual([]);
    await t.queue.enqueue(t.message('held'));
    await t.queue.enqueue(t.message('busy'));
    await t.queue.enqueue(t.message('later'), { delayMs: 60_000 });
    const [held, busy] = t.queue.receive(2, 10_000, dead.incarnation);
    t.queue.retryLater(busy!.id, 15_000, { countsReceive: false, waitsForLease: true });
    await runningSession(t, 'held', 'local-dead/1.1');
    const reclaimed = await reclaimPredecessors(t.store, t.queue, t.clock, silentLogger);
    opened.push({ close: () => reclaimed.release() });
    expect(reclaimed).toMatchObject({ leases: 1, messages: 2, others: 0 });
    const head = await t.store.readHead(sessionRef('acme', 'held'));
    expect(head).toMatchObject({ lease: null, status: 'running' });
    // The two messages, and a run message for the broken lease; the delayed one keeps its delay.
    const visible = t.queue.receive(10, 10_000, reclaimed.incarnation);
    expect(visible.map((item) => JSON.parse(item.body).sessionId).sort()).toEqual(['busy', 'held', 'held']);
    // The dead holder's heartbeat could no longer extend what it held.
    expect(t.queue.extend(held!.id, dead.incarnation, 10_000)).toBe(false);
    expect(t.queue.depth().pending).toBe(4);
  });

  it('leaves the work of a server still alive on the same file alone', async () => {
    const t = world();
    const first = await reclaimPredecessors(t.store, t.queue, t.clock, silentLogger);
    opened.push({ close: () => first.release() });
    await t.queue.enqueue(t.message('live'));
    const [item] = t.queue.receive(1, 10_000, first.incarnation);
    await runningSession(t, 'live', `${first.incarnation}/1.1`);
    const second = await reclaimPredecessors(t.store, t.queue, t.clock, silentLogger);
    opened.push({ close: () => second.release() });
    expect(second).toMatchObject({ leases: 0, messages: 0, others: 1 });
    expect((await t.store.readHead(sessionRef('acme', 'live')))?.lease?.owner).toContain(first.incarnation);
    expect(t.queue.extend(item!.id, first.incarnation, 10_000)).toBe(true);
    // While the second still serves, a third breaks nothing either.
    first.release();
    const third = await reclaimPredecessors(t.store, t.queue, t.clock, silentLogger);
    opened.push({ close: () => third.release() });
    expect(third).toMatchObject({ others: 1 });
  });
});
