import {
  type Agent,
  type Baton,
  createBaton,
  defineAgent,
  defineTool,
  type Model,
  type RunMessage,
  type RunOutcome,
  type SessionEvent,
  type SessionRef,
  type SessionStore,
  silentLogger,
} from '@baton/core';
import type { ManualClock } from '@baton/testing';
import { z } from 'zod';

/** Fake credentials: the fakes only ever listen on 127.0.0.1. */
export const AWS_CREDENTIALS = { accessKeyId: 'AKIDFAKEFAKEFAKE', secretAccessKey: 'fake-secret' };

/** Five minutes: every run here finishes well inside it, so nothing continues for lack of time. */
export const BUDGET_MS = 300_000;

export const INSTRUCTIONS =
  'You are a support assistant for an online shop. Look orders up before answering.';

export const lookupOrder = defineTool({
  name: 'lookup_order',
  description: 'Look up an order by id',
  parameters: z.object({ orderId: z.string() }),
  execute: ({ orderId }) => ({ orderId, status: orderId === 'A1' ? 'shipped' : 'packing' }),
});

/** Approval-gated and at-most-once: a refund must never be paid twice. */
export const refundOrder = defineTool({
  name: 'refund_order',
  description: 'Refund an amount on an order',
  parameters: z.object({ orderId: z.string(), amount: z.number() }),
  execution: 'at-most-once',
  needsApproval: true,
  execute: ({ orderId, amount }, { state }) => {
    state.set('refunded', { orderId, amount });
    return { refunded: amount };
  },
});

/** The same agent (name, instructions, tools) on whatever model the test gives it. */
export function supportAgent(model: Model, options: { stream?: boolean } = {}): Agent {
  return defineAgent({
    name: 'support',
    instructions: INSTRUCTIONS,
    model,
    tools: [lookupOrder, refundOrder],
    policies: { stream: options.stream ?? false },
  });
}

export interface World {
  baton: Baton;
  queue: RunMessage[];
  clock: ManualClock;
  /** Submits `text` and runs the session once, inside the budget. */
  turn(ref: SessionRef, text: string): Promise<RunOutcome>;
  run(ref: SessionRef): Promise<RunOutcome>;
}

/** A Baton on `store` with an array run queue and the manual clock: one "process". */
export function world(
  store: SessionStore,
  agent: Agent,
  clock: ManualClock,
  queue: RunMessage[] = [],
): World {
  const baton = createBaton({
    store,
    agents: [agent],
    queue: {
      enqueue: async (message) => {
        queue.push(message);
      },
    },
    clock,
    logger: silentLogger,
  });
  const run = (ref: SessionRef) => baton.run(ref, { deadline: clock.now() + BUDGET_MS });
  return {
    baton,
    queue,
    clock,
    run,
    async turn(ref, text) {
      await baton.submit(ref, { text, source: 'test' });
      return run(ref);
    },
  };
}

/** Events without what depends on timing (commit time, model latency). */
export function timeless(events: SessionEvent[]): unknown[] {
  return events.map((event) => {
    const { at: _at, ...rest } = event;
    if (rest.kind === 'model_response') {
      const { latencyMs: _latency, ...response } = rest;
      return response;
    }
    return rest;
  });
}
