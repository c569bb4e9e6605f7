import { randomUUID } from 'node:crypto';
import {
  createBatonApp,
  defineAgent,
  defineBaton,
  type RunMessage,
  type RunQueue,
  type SessionEvent,
  sessionRef,
  setSchedule,
  silentLogger,
} from '@baton/core';
import { ManualClock, reply, ScriptedModel } from '@baton/testing';
import { describe, expect, inject, it } from 'vitest';
import { createRunQueueHandler } from './queue-handlers.js';
import { StorageQueueRunQueue } from './storage-queue-run-queue.js';
import { emulatorCosmosStore } from './test-emulator-store.js';
import { invocationContext } from './test-fixtures.js';

const ref = sessionRef('default', 'reminders');
const DAY = 24 * 3600_000;

/**
 * Schedules through the Storage Queue trigger on Azurite and the Cosmos DB server: a wake-up is a
 * message hidden for its delay (visibilityTimeout, up to 7 days). Azurite hides it by the real
 * clock, so the test hands the handler what was sent once its (manual) time has come, as the host
 * would, dequeue count and all.
 */
describe('schedules on the Azure queue handler', () => {
  it('fires a cron rule once per occurrence, each wake-up hidden in the queue until due', async () => {
    const clock = new ManualClock(Date.UTC(2026, 11, 6, 7));
    const queue = new StorageQueueRunQueue({
      queueName: `runs-${randomUUID().slice(0, 8)}`,
      connectionString: inject('azuriteQueueConnection'),
    });
    await queue.createIfNotExists();
    const sent: { message: RunMessage; delayMs: number | undefined }[] = [];
    const recording: RunQueue = {
      async enqueue(message, options) {
        sent.push({ message, delayMs: options?.delayMs });
        await queue.enqueue(message, options);
      },
    };
    const store = await emulatorCosmosStore('schedules', clock);
    const model = new ScriptedModel((_request, index) => reply(`report ${index + 1}`));
    const agent = defineAgent({ name: 'reporter', instructions: 'report', model });
    const app = createBatonApp(defineBaton({ agents: [agent] }), {
      store,
      queue: recording,
      clock,
      logger: silentLogger,
      env: {},
    });
    const handler = createRunQueueHandler(app, {
      queue: recording,
      timeoutMs: 100_000,
      maxDequeueCount: 5,
      recovery: false,
    });
    const invoke = (message: RunMessage) =>
      handler(message, invocationContext({ triggerMetadata: { id: randomUUID(), dequeueCount: 1 } }));

    // Every Monday at 09:00 UTC: the first is 2026-12-07, 26 hours away.
    const set = await setSchedule(
      app.baton,
      ref,
      { text: 'weekly report', cron: '0 9 * * 1' },
      {
        agent: 'reporter',
        by: 'api:ops',
      },
    );
    expect(sent).toEqual([{ message: expect.objectContaining({ reason: 'wake' }), delayMs: 26 * 3600_000 }]);
    // Hidden in the queue: counted, not visible.
    expect((await queue.client.peekMessages()).peekedMessageItems).toHaveLength(0);
    expect((await queue.client.getProperties()).approximateMessagesCount).toBe(1);

    for (let week = 0; week < 2; week++) {
      const wake = sent.at(-1)!.message;
      clock.set(wake.schedule!.dueAt);
      await invoke(wake);
      await invoke(wake);
      // The next Monday's wake-up went to the queue before the firing's commit, 7 days hidden.
      expect(sent.at(-1)).toMatchObject({ message: { schedule: { dueAt: wake.schedule!.dueAt + 7 * DAY } } });
      expect(sent.at(-1)!.delayMs).toBe(7 * DAY);
    }

    const events = await store.readEvents(ref);
    const fired = events.filter(
      (event: SessionEvent) => event.kind === 'input' && event.source === 'schedule',
    );
    expect(fired.map((event) => new Date(event.at).toISOString())).toEqual([
      '2026-12-07T09:00:00.000Z',
      '2026-12-14T09:00:00.000Z',
    ]);
    expect(model.calls).toHaveLength(2);
    expect(set.scheduleId).toMatch(/^sch_/);
  });
});
