import { countingStore, ManualClock, reply, ScriptedModel } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { ArrayQueue } from '../../test/kit.js';
import { defineAgent } from '../agent.js';
import { deliver } from '../app/deliver.js';
import { createBaton } from '../baton.js';
import { silentLogger } from '../logger.js';
import { MemoryStore } from '../memory-store.js';
import { sessionRef } from '../session-ref.js';
import { setSchedule } from './schedule-commits.js';

describe('what a schedule costs', () => {
  it('costs one write to set, and a firing writes what a queued input does', async () => {
    const clock = new ManualClock();
    const counting = countingStore(new MemoryStore());
    const queue = new ArrayQueue();
    const agent = defineAgent({ name: 'a', instructions: '', model: new ScriptedModel([reply('done')]) });
    const baton = createBaton({ store: counting.store, agents: [agent], queue, clock, logger: silentLogger });
    const ref = sessionRef('acme', 'cost');

    const set = await setSchedule(
      baton,
      ref,
      { text: 'ping', delayMs: 60_000 },
      { agent: 'a', by: 'api:me' },
    );
    expect(counting.reset()).toMatchObject({ writes: 1, reads: 1 });

    clock.advance(60_000);
    const wake = queue.messages.at(-1)!.message;
    expect(wake.schedule).toEqual({ id: set.scheduleId, dueAt: set.dueAt });
    await deliver({ baton, channels: [] }, wake, {
      deadline: clock.now() + 60_000,
      attempt: 1,
      maxAttempts: 5,
    });
    // The input with the slot removed, the lease, the answer with the release; reads: the head and
    // the schedule's event to fire, then the run's load.
    const firing = counting.reset();
    expect(firing.writes).toBe(3);
    expect(firing.reads).toBe(3);

    // A duplicate delivery: one head read, the run finding nothing to do; no write.
    await deliver({ baton, channels: [] }, wake, {
      deadline: clock.now() + 60_000,
      attempt: 2,
      maxAttempts: 5,
    });
    expect(counting.reset().writes).toBe(0);
  });
});
