import { callTools, countingStore, ManualClock, reply, ScriptedModel } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAgent } from './agent.js';
import { createBaton } from './baton.js';
import { acquireLease } from './lease.js';
import { silentLogger } from './logger.js';
import { MemoryStore } from './memory-store.js';
import type { ModelRequest } from './model.js';
import { sessionRef } from './session-ref.js';
import type { CommitRequest } from './store.js';
import { defineTool } from './tool.js';

/**
 * A manual clock whose `sleep` waits for the test to move time (the heartbeat waits through it):
 * `tick` wakes every sleeper it passes, `advance` alone is a paused process (nothing wakes).
 */
class BeatingClock extends ManualClock {
  private sleepers: { at: number; wake: () => void }[] = [];

  sleep(ms: number): Promise<void> {
    return new Promise((wake) => this.sleepers.push({ at: this.now() + Math.max(0, ms), wake }));
  }

  async tick(ms: number): Promise<void> {
    const until = this.now() + ms;
    for (;;) {
      await settle();
      const due = this.sleepers.filter((sleeper) => sleeper.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.sleepers = this.sleepers.filter((sleeper) => sleeper !== due);
      if (due.at > this.now()) this.set(due.at);
      due.wake();
    }
    this.set(until);
    await settle();
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** A model call that takes as long as the test says: it answers when `answer` is called. */
function slowModel() {
  const calls: { request: ModelRequest; answer: () => void }[] = [];
  const model = new ScriptedModel(
    (request, index) =>
      new Promise((resolve, reject) => {
        request.signal?.addEventListener('abort', () => reject(request.signal?.reason), { once: true });
        calls.push({
          request,
          answer: () => resolve(index === 0 ? callTools([{ name: 'slow', args: {} }]) : reply('done')),
        });
      }),
  );
  return { model, calls };
}

function setup(options: { toolGate?: Promise<void> } = {}) {
  const clock = new BeatingClock();
  const counting = countingStore(new MemoryStore());
  const commits: { owner: string | null; events: number }[] = [];
  const store = {
    ...counting.store,
    commit: async (request: CommitRequest) => {
      await counting.store.commit(request);
      commits.push({ owner: request.head.lease?.owner ?? null, events: request.events.length });
    },
  };
  const { model, calls } = slowModel();
  let toolRuns = 0;
  const agent = defineAgent({
    name: 'beats',
    instructions: 'test',
    model,
    tools: [
      defineTool({
        name: 'slow',
        description: 'takes a while',
        parameters: z.object({}),
        timeoutMs: 120_000,
        execute: async () => {
          toolRuns++;
          await options.toolGate;
          return { ok: true };
        },
      }),
    ],
    limits: { compactAfterEvents: 0 },
    timing: { modelCallMs: 60_000, leaseMs: 15_000 },
  });
  const baton = createBaton({
    store,
    agents: [agent],
    queue: { enqueue: async () => {} },
    clock,
    logger: silentLogger,
  });
  const ref = sessionRef('acme', 'beats');
  return { clock, store, counting, commits, calls, baton, ref, toolRuns: () => toolRuns };
}

describe('lease heartbeat', () => {
  it('renews a 15 s lease every 5 s of a 60 s model call (12 writes), and a short call costs none', async () => {
    let finish!: () => void;
    const t = setup({ toolGate: new Promise<void>((resolve) => (finish = resolve)) });
    await t.baton.submit(t.ref, { text: 'hi', source: 'test' });
    const running = t.baton.run(t.ref, { deadline: t.clock.now() + 600_000, owner: 'first' });
    await t.clock.tick(0);
    expect(t.calls).toHaveLength(1);
    const before = t.counting.counts.writes;
    for (let second = 1; second <= 60; second++) {
      await t.clock.tick(1_000);
      const head = await t.store.readHead(t.ref);
      expect(head!.lease!.expiresAt).toBeGreaterThan(t.clock.now());
    }
    expect(t.counting.counts.writes - before).toBe(12);
    expect(t.commits.slice(-12).every((commit) => commit.events === 0 && commit.owner === 'first')).toBe(
      true,
    );
    t.calls[0]!.answer();
    await t.clock.tick(0);
    // The tool runs 4 s (less than a third of the lease): its step writes nothing, its result
    // waits for the answer's commit.
    expect(t.toolRuns()).toBe(1);
    const toolStep = t.counting.counts.writes;
    await t.clock.tick(4_000);
    finish();
    await t.clock.tick(0);
    expect(t.calls).toHaveLength(2);
    expect(t.counting.counts.writes - toolStep).toBe(0);
    const answerStep = t.counting.counts.writes;
    t.calls[1]!.answer();
    expect(await running).toMatchObject({ kind: 'finished', text: 'done' });
    expect(t.counting.counts.writes - answerStep).toBe(1);
    const events = await t.store.readEvents(t.ref);
    expect(events.slice(-3).map((event) => event.kind)).toEqual([
      'tool_result',
      'model_response',
      'run_finished',
    ]);
    // No beat after the run: the heartbeat stopped with the call.
    const after = t.counting.counts.writes;
    await t.clock.tick(60_000);
    expect(t.counting.counts.writes).toBe(after);
  });

  it('fences a holder whose renewal comes after its lease expired and another writer took it', async () => {
    const t = setup();
    await t.baton.submit(t.ref, { text: 'hi', source: 'test' });
    const running = t.baton.run(t.ref, { deadline: t.clock.now() + 600_000, owner: 'old' });
    await t.clock.tick(0);
    // The old holder's process is paused past its lease (no beat runs); another writer takes over.
    t.clock.advance(20_000);
    await acquireLease(t.store, t.ref, { owner: 'new', clock: t.clock, leaseMs: 15_000 });
    const takenAt = t.commits.length;
    // It resumes: the overdue beat's renewal conflicts, is fenced, and aborts the model call.
    await t.clock.tick(0);
    expect(await running).toEqual({ kind: 'fenced' });
    expect(t.calls[0]!.request.signal?.aborted).toBe(true);
    await t.clock.tick(60_000);
    expect(t.commits.slice(takenAt)).toEqual([]);
    expect((await t.store.readHead(t.ref))?.lease?.owner).toBe('new');
  });

  it('fences a paused holder whose tool finishes after the takeover, writing nothing', async () => {
    let finish!: () => void;
    const t = setup({ toolGate: new Promise<void>((resolve) => (finish = resolve)) });
    await t.baton.submit(t.ref, { text: 'hi', source: 'test' });
    const running = t.baton.run(t.ref, { deadline: t.clock.now() + 600_000, owner: 'old' });
    await t.clock.tick(0);
    t.calls[0]!.answer();
    await t.clock.tick(0);
    expect(t.toolRuns()).toBe(1);
    t.clock.advance(20_000);
    await acquireLease(t.store, t.ref, { owner: 'new', clock: t.clock, leaseMs: 15_000 });
    const takenAt = t.commits.length;
    // Resumes with the tool done and the beat overdue at once: neither may land.
    finish();
    await t.clock.tick(0);
    expect(await running).toEqual({ kind: 'fenced' });
    expect(t.commits.slice(takenAt)).toEqual([]);
    const events = await t.store.readEvents(t.ref);
    expect(events.filter((event) => event.kind === 'tool_result')).toEqual([]);
  });
});
