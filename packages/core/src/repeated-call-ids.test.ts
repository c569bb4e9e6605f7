import { callTools, ManualClock, reply, ScriptedModel, type ScriptedStep } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ArrayQueue } from '../test/kit.js';
import { defineAgent } from './agent.js';
import type { Identity } from './auth/identity.js';
import { createBaton } from './baton.js';
import { silentLogger } from './logger.js';
import { MemoryStore } from './memory-store.js';
import { sessionRef } from './session-ref.js';
import type { SessionStore } from './store.js';
import { defineTool } from './tool.js';

/** Decides as an API key of the test tenant that holds approve (the default approver policy). */
const approver: Identity = { tenant: 'acme', user: 'key:approver', scopes: ['approve'], via: 'api_key' };

/** Yields to the event loop on every load, so a test that loops forever times out instead of hanging. */
class YieldingStore extends MemoryStore {
  override async load(...args: Parameters<SessionStore['load']>) {
    await new Promise((resolve) => setImmediate(resolve));
    return super.load(...args);
  }
}

/**
 * Providers do not promise unique call ids across responses (a server restarted between two calls
 * reused `call_1`). Keys derived from them are scoped by the model response's seq.
 */
function world(script?: ScriptedStep[]) {
  const keys: string[] = [];
  const refund = defineTool({
    name: 'refund',
    description: 'refund an order after approval',
    parameters: z.object({ order: z.string() }),
    needsApproval: true,
    execution: 'at-most-once',
    execute: ({ order }, { idempotencyKey }) => {
      keys.push(idempotencyKey);
      return { refunded: order };
    },
  });
  const lookup = defineTool({
    name: 'lookup',
    description: 'look an order up',
    parameters: z.object({ order: z.string() }),
    execute: ({ order }, { idempotencyKey }) => {
      keys.push(idempotencyKey);
      return { order, status: 'shipped' };
    },
  });
  const model = new ScriptedModel(
    script ?? [
      callTools([{ name: 'refund', args: { order: 'A1' }, callId: 'call_1' }]),
      reply('Refunded A1.'),
      callTools([{ name: 'refund', args: { order: 'B2' }, callId: 'call_1' }]),
      reply('Refunded B2.'),
    ],
  );
  const clock = new ManualClock();
  const store = new YieldingStore();
  const agent = defineAgent({
    name: 'refunds',
    instructions: 'refund orders',
    model,
    tools: [refund, lookup],
  });
  const baton = createBaton({ store, agents: [agent], queue: new ArrayQueue(), clock, logger: silentLogger });
  const ref = sessionRef('acme', 'repeated-ids');
  const run = () => baton.run(ref, { deadline: clock.now() + 600_000 });
  return { baton, store, ref, run, keys };
}

describe('a call id the provider repeats in a later response', () => {
  it('is approved, run and answered like a new call, with its own idempotency key', {
    timeout: 10_000,
  }, async () => {
    const t = world();
    await t.baton.submit(t.ref, { text: 'refund A1', source: 'test' });
    expect(await t.run()).toMatchObject({ kind: 'waiting_approval', callIds: ['call_1'] });
    expect(await t.baton.decide(t.ref, { callId: 'call_1', approved: true, identity: approver })).toEqual({
      duplicate: false,
    });
    expect(await t.run()).toMatchObject({ kind: 'finished', text: 'Refunded A1.' });

    await t.baton.submit(t.ref, { text: 'refund B2', source: 'test' });
    expect(await t.run()).toMatchObject({ kind: 'waiting_approval', callIds: ['call_1'] });
    expect(await t.baton.decide(t.ref, { callId: 'call_1', approved: true, identity: approver })).toEqual({
      duplicate: false,
    });
    // The same decision again is a duplicate, not a second decision.
    expect(await t.baton.decide(t.ref, { callId: 'call_1', approved: true, identity: approver })).toEqual({
      duplicate: true,
    });
    expect(await t.run()).toMatchObject({ kind: 'finished', text: 'Refunded B2.' });

    expect(t.keys).toHaveLength(2);
    expect(new Set(t.keys).size).toBe(2);
    const results = (await t.store.readEvents(t.ref)).filter((event) => event.kind === 'tool_result');
    expect(results.map((event) => event.kind === 'tool_result' && event.output)).toEqual([
      { refunded: 'A1' },
      { refunded: 'B2' },
    ]);
  });

  it('refuses a different decision for a call that was already decided', { timeout: 10_000 }, async () => {
    const t = world();
    await t.baton.submit(t.ref, { text: 'refund A1', source: 'test' });
    await t.run();
    await t.baton.decide(t.ref, { callId: 'call_1', approved: true, identity: approver });
    await expect(
      t.baton.decide(t.ref, { callId: 'call_1', approved: false, identity: approver }),
    ).rejects.toMatchObject({
      code: 'already_decided',
    });
  });

  it('runs two calls of one response that share an id as two calls', { timeout: 10_000 }, async () => {
    const t = world([
      callTools([
        { name: 'lookup', args: { order: 'A1' }, callId: 'call_1' },
        { name: 'lookup', args: { order: 'B2' }, callId: 'call_1' },
      ]),
      reply('Both shipped.'),
    ]);
    await t.baton.submit(t.ref, { text: 'where are A1 and B2?', source: 'test' });
    expect(await t.run()).toMatchObject({ kind: 'finished', text: 'Both shipped.' });
    const events = await t.store.readEvents(t.ref);
    const results = events.filter((event) => event.kind === 'tool_result');
    expect(results.map((event) => event.kind === 'tool_result' && event.output)).toEqual(
      expect.arrayContaining([
        { order: 'A1', status: 'shipped' },
        { order: 'B2', status: 'shipped' },
      ]),
    );
    const ids = results.map((event) => event.kind === 'tool_result' && event.callId);
    expect(new Set(ids).size).toBe(2);
    expect(new Set(t.keys).size).toBe(2);
  });
});
