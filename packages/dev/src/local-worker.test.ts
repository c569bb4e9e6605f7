import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBatonApp, defineAgent, defineBaton, MemoryStore, sessionRef, silentLogger } from '@baton/core';
import { ManualClock, reply, ScriptedModel } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { SqliteRunQueue } from './local-queue.js';
import { LocalWorker } from './local-worker.js';

function tempQueue(clock: ManualClock): SqliteRunQueue {
  return new SqliteRunQueue(join(mkdtempSync(join(tmpdir(), 'baton-worker-')), 'q.db'), clock);
}

describe('LocalWorker', () => {
  it('runs what the app enqueued and acknowledges it', async () => {
    const clock = new ManualClock();
    const queue = tempQueue(clock);
    const app = createBatonApp(
      defineBaton({
        agents: [defineAgent({ name: 'helper', instructions: '', model: new ScriptedModel([reply('hi')]) })],
      }),
      { store: new MemoryStore(), queue, clock, logger: silentLogger, env: {} },
    );
    const ref = sessionRef('acme', 'queued');
    await app.baton.submit(ref, { text: 'hello', source: 'test' });
    expect(queue.depth()).toEqual({ pending: 1, deadLetters: 0 });
    const worker = new LocalWorker(app, queue, { runBudgetMs: 60_000 }, silentLogger);
    worker.start();
    await worker.whenIdle();
    await worker.stop();
    expect(queue.depth()).toEqual({ pending: 0, deadLetters: 0 });
    expect(await app.baton.session(ref)).toMatchObject({ status: 'idle' });
    queue.close();
  });

  it('dead-letters a message the app refuses, with the code and message as the reason', async () => {
    const clock = new ManualClock();
    const queue = tempQueue(clock);
    const app = createBatonApp(
      defineBaton({ agents: [defineAgent({ name: 'a', instructions: '', model: new ScriptedModel([]) })] }),
      { store: new MemoryStore(), queue, clock, logger: silentLogger, env: {} },
    );
    await queue.enqueue({ v: 1, tenant: 'bad tenant', sessionId: 'x', reason: 'input', dedupeKey: 'k' });
    const worker = new LocalWorker(app, queue, { runBudgetMs: 60_000 }, silentLogger);
    worker.start();
    await worker.whenIdle();
    await worker.stop();
    expect(queue.depth()).toEqual({ pending: 0, deadLetters: 1 });
    expect(queue.deadLetters()[0]?.reason).toMatch(/^malformed_message: not a run message: tenant/);
    queue.close();
  });
});

describe('SqliteRunQueue', () => {
  it('takes a receive back when a retry does not count', () => {
    const clock = new ManualClock();
    const queue = tempQueue(clock);
    void queue.enqueue({ v: 1, tenant: 'acme', sessionId: 's', reason: 'input', dedupeKey: 'k' });
    const first = queue.receive(1, 1_000)[0]!;
    expect(first.receiveCount).toBe(1);
    queue.retryLater(first.id, 500, { countsReceive: false });
    expect(queue.receive(1, 1_000)).toEqual([]);
    clock.advance(500);
    const second = queue.receive(1, 1_000)[0]!;
    expect(second.receiveCount).toBe(1);
    queue.retryLater(second.id, 0);
    expect(queue.receive(1, 1_000)[0]?.receiveCount).toBe(2);
    queue.close();
  });

  it('lists dead letters with their bodies as stored and their receive counts', async () => {
    const clock = new ManualClock();
    const queue = tempQueue(clock);
    await queue.enqueue({ v: 1, tenant: 'acme', sessionId: 's', reason: 'input', dedupeKey: 'k' });
    const [item] = queue.receive(1, 1_000);
    queue.deadLetter(item!.id, 'malformed_message: test');
    expect(queue.deadLetters()).toEqual([
      { dedupeKey: 'k', body: item!.body, reason: 'malformed_message: test', receiveCount: 1 },
    ]);
    queue.close();
  });
});
