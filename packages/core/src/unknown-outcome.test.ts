import { callTools, reply } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { kinds, kit } from '../test/kit.js';
import type { Identity } from './auth/identity.js';
import type { SessionEvent } from './events.js';

/** Decides as an API key of the test tenant that holds approve (the default approver policy). */
const approver: Identity = { tenant: 'acme', user: 'key:approver', scopes: ['approve'], via: 'api_key' };

describe('at-most-once tools after a crash', () => {
  it('surfaces an at-most-once call with an intent but no result as an unknown outcome and never re-runs it', async () => {
    const t = kit([
      callTools([{ name: 'charge_card', args: { cents: 500 }, callId: 'c1' }]),
      reply('Check the charge.'),
    ]);
    await t.baton.submit(t.ref, { text: 'charge', source: 'test' });
    // Simulate a crash right after the intent commit: the tool throws a non-Baton "process died" at run time
    // is not the same thing, so write the log as a crashed invocation leaves it.
    const crashed = await crashAfterIntent(t);
    expect(kinds(crashed)).toEqual(['input', 'model_response', 'tool_intent']);
    t.clock.advance(31_000); // the dead holder's lease expires
    const outcome = await t.baton.run(t.ref, { deadline: t.later() });
    expect(outcome.kind).toBe('finished');
    expect(t.counter.of('charge_card')).toBe(0);
    const result = (await t.store.readEvents(t.ref)).find((e) => e.kind === 'tool_result');
    expect(result).toMatchObject({ callId: 'c1', outcome: 'unknown' });
  });

  it('asks a person about an unknown outcome when the policy says approval, and runs again only if approved', async () => {
    const t = kit(
      [callTools([{ name: 'charge_card', args: { cents: 500 }, callId: 'c1' }]), reply('Charged.')],
      {
        unknownOutcome: 'approval',
      },
    );
    await t.baton.submit(t.ref, { text: 'charge', source: 'test' });
    await crashAfterIntent(t);
    t.clock.advance(31_000);
    const waiting = await t.baton.run(t.ref, { deadline: t.later() });
    expect(waiting).toMatchObject({ kind: 'waiting_approval', callIds: ['c1'] });
    expect((await t.baton.session(t.ref)).pendingApprovals[0]).toMatchObject({ unknownOutcome: true });
    await t.baton.decide(t.ref, { callId: 'c1', approved: true, identity: approver });
    await t.baton.run(t.ref, { deadline: t.later() });
    expect(t.counter.of('charge_card')).toBe(1);
  });
});

/** Leaves the log the way an invocation that died right after committing its intents leaves it. */
async function crashAfterIntent(t: ReturnType<typeof kit>): Promise<SessionEvent[]> {
  const { acquireLease } = await import('./lease.js');
  const { SessionWriter } = await import('./session-writer.js');
  const held = await acquireLease(t.store, t.ref, { owner: 'doomed', clock: t.clock, leaseMs: 30_000 });
  const writer = new SessionWriter(t.store, t.ref, held, t.clock, 30_000);
  const response = await t.model.generate({ instructions: '', messages: [], tools: [], sessionKey: 'x' });
  await writer.commit({
    events: [
      {
        kind: 'model_response',
        text: response.text,
        toolCalls: response.toolCalls,
        usage: response.usage,
        stopReason: response.stopReason,
        provider: 'scripted',
        model: response.model,
        latencyMs: 1,
      },
    ],
  });
  await writer.commit({
    events: response.toolCalls.map((call) => ({ kind: 'tool_intent', callId: call.callId, name: call.name })),
  });
  return t.store.readEvents(t.ref);
}
