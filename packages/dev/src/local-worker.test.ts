import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBaton, defineAgent, MemoryStore, sessionRef, silentLogger } from '@baton/core';
import { ManualClock, reply, ScriptedModel } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { SqliteRunQueue } from './local-queue.js';
import { LocalWorker } from './local-worker.js';

describe('LocalWorker', () => {
  it('dead-letters a message no retry can fix and records the reason on the session', async () => {
    const clock = new ManualClock();
    const store = new MemoryStore();
    const queue = new SqliteRunQueue(join(mkdtempSync(join(tmpdir(), 'baton-worker-')), 'q.db'), clock);
    const ref = sessionRef('acme', 'orphan');
    // The session belongs to an agent this deployment no longer serves: a retry cannot help.
    const old = createBaton({
      store,
      agents: [defineAgent({ name: 'retired', instructions: '', model: new ScriptedModel([reply('x')]) })],
      queue,
      clock,
      logger: silentLogger,
    });
    await old.submit(ref, { text: 'hi', source: 'test' });
    const baton = createBaton({
      store,
      agents: [defineAgent({ name: 'current', instructions: '', model: new ScriptedModel([]) })],
      queue,
      clock,
      logger: silentLogger,
    });
    const worker = new LocalWorker(baton, queue, { runBudgetMs: 60_000, pollMs: 5 }, silentLogger);
    worker.start();
    for (let i = 0; i < 200 && queue.depth().deadLetters === 0; i++)
      await new Promise((r) => setTimeout(r, 5));
    await worker.stop();
    expect(queue.depth()).toEqual({ pending: 0, deadLetters: 1 });
    expect(queue.deadLetters()[0]?.reason).toContain('unknown_agent');
    const events = await store.readEvents(ref);
    expect(events.map((event) => event.kind)).toEqual(['input', 'error', 'run_finished']);
    expect(await store.readHead(ref)).toMatchObject({ status: 'failed' });
    queue.close();
  });
});
