import { callTools, reply, type ScriptFunction } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import type { SessionEvent } from '../events.js';
import type { JsonObject } from '../json.js';
import { childSessionId, replyToOf } from './child-session.js';
import { delegationWorld } from './test-delegation-world.js';

const writer: ScriptFunction = (request) => {
  const last = request.messages.at(-1);
  if (last?.role === 'tool') return reply(`Report: ${last.content}`);
  return callTools([{ name: 'researcher', args: { input: 'otters' }, callId: 'r1' }]);
};

function input(seq: number, metadata?: JsonObject): SessionEvent {
  return {
    seq,
    at: 0,
    kind: 'input',
    text: 'hi',
    source: 'slack',
    ...(metadata ? { metadata } : {}),
  } as SessionEvent;
}

describe("a child session's reply origin", () => {
  it("keeps the parent id's namespace, so the channel owning the parent by id owns the child", () => {
    const call = [4, 'call_1', 'researcher'] as const;
    expect(childSessionId({ tenant: 'T1', sessionId: 'chat-1' }, ...call)).toMatch(
      /^agent:researcher:.{22}$/,
    );
    const child = childSessionId({ tenant: 'T1', sessionId: 'slack:T1:C1:1.2' }, ...call);
    expect(child).toMatch(/^slack:agent:researcher:.{22}$/);
    // A grandchild keeps it too; a child of a plain child stays `agent:`.
    expect(childSessionId({ tenant: 'T1', sessionId: child }, ...call)).toMatch(/^slack:agent:researcher:/);
    expect(childSessionId({ tenant: 'T1', sessionId: 'agent:researcher:x' }, ...call)).toMatch(
      /^agent:researcher:/,
    );
  });

  it("is the latest input's metadata, or what that input inherited", () => {
    const slack = { slack: { channel: 'C1', thread: '1.2', ts: '1.3', user: 'U1', kind: 'mention' } };
    expect(replyToOf([input(1, slack), input(2)])).toEqual(slack);
    expect(replyToOf([input(1, { replyTo: slack })])).toEqual(slack);
    expect(replyToOf([input(1)])).toBeUndefined();
  });

  it("rides on the child's first input, and a parent without one gives none", async () => {
    const world = delegationWorld({ writer: [], researcher: [] });
    (world.writerModel as unknown as { script: ScriptFunction }).script = writer;
    const origin = { slack: { channel: 'C1', thread: '1.2', ts: '1.3', user: 'U1', kind: 'mention' } };
    await world.baton.submit(world.ref, { text: 'write about otters', source: 'test', metadata: origin });
    await world.drain();
    const child = { tenant: world.ref.tenant, sessionId: childSessionId(world.ref, 2, 'r1', 'researcher') };
    const [first] = await world.store.readEvents(child, { limit: 1 });
    expect(first).toMatchObject({ kind: 'input', source: 'agent', metadata: { replyTo: origin } });
  });
});
