import { createBatonApp, MemoryStore, type RunMessage, silentLogger } from '@baton/core';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../manual-clock.js';
import {
  DELIVERY_CASES,
  type DeliveryWorld,
  deliveryTableApp,
  expectDisposition,
  type ObservedDisposition,
  observedSession,
  SwitchableModel,
} from './delivery-cases.js';

const MAX_ATTEMPTS = 5;

/** The table against core's deliver() itself; each host runs the same table through its own trigger. */
describe('app.deliver', () => {
  for (const [index, testCase] of DELIVERY_CASES.entries()) {
    it(testCase.name, async () => {
      const clock = new ManualClock(1_700_000_000_000);
      const model = new SwitchableModel();
      const enqueued: RunMessage[] = [];
      const app = createBatonApp(deliveryTableApp(model), {
        store: new MemoryStore(),
        queue: { enqueue: async (message) => void enqueued.push(message) },
        clock,
        logger: silentLogger,
        env: {},
      });
      const world: DeliveryWorld = { baton: app.baton, model, maxAttempts: MAX_ATTEMPTS };
      const ref = { tenant: 'acme', sessionId: `delivery-${index}` };
      const { body, attempt } = await testCase.arrange(world, ref);
      const disposition = await app.deliver(body, {
        deadline: clock.now() + 60_000,
        attempt,
        maxAttempts: MAX_ATTEMPTS,
      });
      const observed: ObservedDisposition =
        disposition.action === 'retry'
          ? { action: 'retry', consumesAttempt: disposition.consumesAttempt, delayMs: disposition.delayMs }
          : disposition.action === 'dead_letter'
            ? { action: 'dead_letter', code: disposition.code }
            : { action: 'done' };
      expectDisposition(observed, testCase.expected);
      expect(await observedSession(app.baton, ref)).toEqual(testCase.session);
    });
  }
});
