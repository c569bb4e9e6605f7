import { callTools, ManualClock, reply, ScriptedModel, type ScriptedStep } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ArrayQueue } from '../../test/kit.js';
import { defineAgent } from '../agent.js';
import { deliver } from '../app/deliver.js';
import { createBaton } from '../baton.js';
import type { EventOf, SessionEvent } from '../events.js';
import { silentLogger } from '../logger.js';
import { MemoryStore } from '../memory-store.js';
import type { RunMessage, RunQueue } from '../queue.js';
import { sessionRef } from '../session-ref.js';
import type { CommitRequest, SessionStore } from '../store.js';
import { defineTool } from '../tool.js';
import { setSchedule } from './schedule-commits.js';

class Crash extends Error {}

/** Every write a firing makes (commits, enqueues), numbered; the armed one crashes before or after. */
class CrashPoints {
  step = 0;
  armed: { at: number; when: 'before' | 'after' } | undefined;
  /** Whether the armed crash happened: a point the firing never reaches would test nothing. */
  hit = false;
  async around<T>(write: () => Promise<T>): Promise<T> {
    const at = this.step++;
    const crash = this.armed?.at === at ? this.armed.when : undefined;
    if (crash) this.hit = true;
    if (crash === 'before') throw new Crash(`crash before write ${at}`);
    const result = await write();
    if (crash === 'after') throw new Crash(`crash after write ${at}`);
    return result;
  }
}

function world(script: ScriptedStep[]) {
  const clock = new ManualClock();
  const points = new CrashPoints();
  const memory = new MemoryStore();
  const store: SessionStore = Object.assign(Object.create(memory) as MemoryStore, {
    commit: (request: CommitRequest) => points.around(() => memory.commit(request)),
  });
  const kept = new ArrayQueue();
  const queue: RunQueue = {
    enqueue: (message, options) => points.around(() => kept.enqueue(message, options)),
  };
  const model = new ScriptedModel(script);
  const remind = defineTool({
    name: 'remind',
    description: 'remind the user later',
    parameters: z.object({ text: z.string(), seconds: z.number() }),
    execute: ({ text, seconds }, ctx) => ctx.schedule({ text, delayMs: seconds * 1000 }),
  });
  const agent = defineAgent({
    name: 'tester',
    instructions: 'test',
    model,
    tools: [remind],
    timing: { leaseMs: 30_000, modelCallMs: 10_000 },
  });
  const baton = createBaton({ store, agents: [agent], queue, clock, logger: silentLogger });
  const ref = sessionRef('acme', 'crashy');
  /** Delivers until the host would delete the message, as a queue does after crashes and busy answers. */
  const settle = async (message: RunMessage) => {
    for (let delivery = 1; delivery < 20; delivery++) {
      const disposition = await deliver({ baton, channels: [] }, message, {
        deadline: clock.now() + 600_000,
        attempt: delivery,
        maxAttempts: 20,
      });
      if (disposition.action !== 'retry') return disposition;
      clock.advance(disposition.delayMs);
    }
    throw new Error('never settled');
  };
  const wakes = () =>
    kept.messages.map((entry) => entry.message).filter((message) => message.reason === 'wake');
  const events = () => memory.readEvents(ref);
  return { clock, points, memory, kept, model, baton, ref, settle, wakes, events };
}

const fired = (events: SessionEvent[]) =>
  events.filter((event): event is EventOf<'input'> => event.kind === 'input' && event.source === 'schedule');

describe('schedule firing under crashes', () => {
  // enqueue next occurrence, fire commit, lease commit, answer commit: 4 writes, crashed before and after.
  const points = Array.from({ length: 4 }, (_, at) => [
    [at, 'before'],
    [at, 'after'],
  ]).flat() as [number, 'before' | 'after'][];

  it.each(points)(
    'fires each cron occurrence once when a delivery crashes at write %i (%s)',
    async (at, when) => {
      const t = world([
        reply('report 1'),
        reply('report 1 again'),
        reply('report 2'),
        reply('report 2 again'),
      ]);
      await setSchedule(
        t.baton,
        t.ref,
        { text: 'daily report', cron: '0 9 * * *' },
        { agent: 'tester', by: 'api:me' },
      );
      const first = t.wakes()[0]!;
      t.clock.set(first.schedule!.dueAt);
      t.points.step = 0;
      t.points.armed = { at, when };
      await t.baton.handle(first, { deadline: t.clock.now() + 600_000 }).catch((error: unknown) => {
        if (!(error instanceof Crash)) throw error;
      });
      t.points.armed = undefined;
      expect(t.points.hit).toBe(true);
      // The queue delivers the undeleted message again (the crash ended the invocation), twice.
      await t.settle(first);
      await t.settle(first);
      const afterFirst = await t.events();
      expect(fired(afterFirst).map((event) => event.metadata?.dueAt)).toEqual([first.schedule!.dueAt]);
      expect(afterFirst.filter((event) => event.kind === 'run_finished')).toHaveLength(1);
      const head = (await t.memory.readHead(t.ref))!;
      const nextDueAt = first.schedule!.dueAt + 24 * 3600_000;
      expect(head.schedules).toEqual([expect.objectContaining({ dueAt: nextDueAt })]);

      // Every wake-up of the next day (a re-run firing may have sent it twice) fires it once.
      t.clock.set(nextDueAt);
      const next = t.wakes().filter((message) => message.schedule!.dueAt === nextDueAt);
      expect(next.length).toBeGreaterThanOrEqual(1);
      for (const message of next) await t.settle(message);
      expect(fired(await t.events()).map((event) => event.metadata?.dueAt)).toEqual([
        first.schedule!.dueAt,
        nextDueAt,
      ]);
    },
  );

  it('sets a tool call schedule once when the call runs again after a crash before its result was written', async () => {
    const call = callTools([{ name: 'remind', args: { text: 'stretch', seconds: 10 } }]);
    const t = world([call, reply('I will remind you.'), reply('Time to stretch!')]);
    await t.baton.submit(t.ref, { text: 'remind me in 10s to stretch', source: 'test' });
    const input = t.kept.messages[0]!.message;
    t.points.step = 0;
    // Writes of the run: lease, model response, the tool result with its schedule (crashed before).
    t.points.armed = { at: 3, when: 'before' };
    await t.baton.handle(input, { deadline: t.clock.now() + 600_000 }).catch((error: unknown) => {
      if (!(error instanceof Crash)) throw error;
    });
    t.points.armed = undefined;
    await t.settle(input);
    const events = await t.events();
    expect(events.filter((event) => event.kind === 'schedule_set')).toHaveLength(1);
    const head = (await t.memory.readHead(t.ref))!;
    expect(head.schedules).toHaveLength(1);
    // Both executions enqueued a wake-up of the same schedule id; only the committed time fires.
    const wakes = t.wakes();
    expect(new Set(wakes.map((message) => message.schedule!.id)).size).toBe(1);
    t.clock.advance(10_000 + 60_000);
    for (const message of wakes) await t.settle(message);
    const after = await t.events();
    expect(fired(after).map((event) => event.text)).toEqual(['stretch']);
    expect(after.at(-1)).toMatchObject({ kind: 'run_finished', text: 'Time to stretch!' });
    expect((await t.memory.readHead(t.ref))!.schedules).toBeUndefined();
  });
});
