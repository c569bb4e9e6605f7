import { callTools, ManualClock, reply, ScriptedModel } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ArrayQueue, kinds, kit } from '../test/kit.js';
import { type AgentOptions, defineAgent } from './agent.js';
import { type ApproverPolicy, setChannelApprovers } from './approver-policy.js';
import type { Identity, Scope } from './auth/identity.js';
import { createBaton } from './baton.js';
import { silentLogger } from './logger.js';
import { MemoryStore } from './memory-store.js';
import { sessionRef } from './session-ref.js';
import { defineTool } from './tool.js';

const alice: Identity = { tenant: 'acme', user: 'key:alice', scopes: ['approve'], via: 'api_key' };

function who(user: string, scopes: Scope[] = ['approve'], tenant = 'acme'): Identity {
  return { tenant, user, scopes, via: 'api_key' };
}

describe('approvals', () => {
  it('stops for approval and resumes in another invocation when the call is approved', async () => {
    const t = kit([callTools([{ name: 'send_email', args: { to: 'bob' }, callId: 'e1' }]), reply('Sent.')]);
    await t.baton.submit(t.ref, { text: 'email bob', source: 'test' });
    const first = await t.baton.run(t.ref, { deadline: t.later() });
    expect(first).toMatchObject({ kind: 'waiting_approval', callIds: ['e1'] });
    expect((await t.baton.session(t.ref)).pendingApprovals).toEqual([
      { callId: 'e1', tool: 'send_email', arguments: '{"to":"bob"}', unknownOutcome: false },
    ]);
    expect(t.counter.of('send_email')).toBe(0);
    await t.baton.decide(t.ref, { callId: 'e1', approved: true, identity: alice });
    expect(t.queue.messages.at(-1)?.message.reason).toBe('decision');
    const second = await t.baton.run(t.ref, { deadline: t.later() });
    expect(second).toMatchObject({ kind: 'finished', text: 'Sent.' });
    expect(t.counter.of('send_email')).toBe(1);
    expect(kinds(await t.store.readEvents(t.ref))).toEqual([
      'input',
      'model_response',
      'interrupt',
      'decision',
      'tool_intent',
      'tool_result',
      'model_response',
      'run_finished',
    ]);
  });

  it('records a rejection as the result without running the tool', async () => {
    const t = kit([
      callTools([{ name: 'send_email', args: { to: 'bob' }, callId: 'e1' }]),
      reply('Not sent.'),
    ]);
    await t.baton.submit(t.ref, { text: 'email bob', source: 'test' });
    await t.baton.run(t.ref, { deadline: t.later() });
    await t.baton.decide(t.ref, { callId: 'e1', approved: false, reason: 'not today', identity: alice });
    await t.baton.run(t.ref, { deadline: t.later() });
    expect(t.counter.of('send_email')).toBe(0);
    const result = (await t.store.readEvents(t.ref)).find((e) => e.kind === 'tool_result');
    expect(result).toMatchObject({ outcome: 'rejected' });
    expect(JSON.stringify(result)).toContain('not today');
  });

  it('records the authenticated decider as by and via', async () => {
    const t = kit([callTools([{ name: 'send_email', args: { to: 'bob' }, callId: 'e1' }])]);
    await t.baton.submit(t.ref, { text: 'email bob', source: 'test' });
    await t.baton.run(t.ref, { deadline: t.later() });
    await t.baton.decide(t.ref, { callId: 'e1', approved: true, identity: alice });
    expect((await t.store.readEvents(t.ref)).find((e) => e.kind === 'decision')).toMatchObject({
      by: 'key:alice',
      via: 'api_key',
    });
  });

  it('refuses a decision without an identity, and a free-form by in its place', async () => {
    const t = kit([callTools([{ name: 'send_email', args: { to: 'bob' }, callId: 'e1' }])]);
    await t.baton.submit(t.ref, { text: 'email bob', source: 'test' });
    await t.baton.run(t.ref, { deadline: t.later() });
    const before = await t.store.readEvents(t.ref);
    const forged = { callId: 'e1', approved: true, by: 'UBOSS' } as unknown as Parameters<
      typeof t.baton.decide
    >[1];
    await expect(t.baton.decide(t.ref, forged)).rejects.toMatchObject({ status: 400 });
    expect(await t.store.readEvents(t.ref)).toEqual(before);
  });
});

/** A session of tenant acme waiting for approval of `send_email` and `wire_money` calls. */
async function waiting(options: { agent?: ApproverPolicy; tool?: ApproverPolicy; channel?: ApproverPolicy }) {
  const clock = new ManualClock();
  const store = new MemoryStore();
  const queue = new ArrayQueue();
  const tool = (name: string, approvers?: ApproverPolicy) =>
    defineTool({
      name,
      description: name,
      parameters: z.object({ to: z.string(), cents: z.number().optional() }),
      needsApproval: true,
      ...(approvers ? { approvers } : {}),
      execute: () => ({ ok: true }),
    });
  const agentOptions: AgentOptions = {
    name: 'payer',
    instructions: 'pay',
    model: new ScriptedModel([
      callTools([
        { name: 'send_email', args: { to: 'bob' }, callId: 'mail' },
        { name: 'wire_money', args: { to: 'bob', cents: 900 }, callId: 'wire' },
      ]),
    ]),
    tools: [tool('send_email'), tool('wire_money', options.tool)],
    ...(options.agent ? { approvers: options.agent } : {}),
  };
  const baton = createBaton({
    store,
    agents: [defineAgent(agentOptions)],
    queue,
    clock,
    logger: silentLogger,
  });
  if (options.channel) {
    const channel = options.channel;
    setChannelApprovers(baton, 'test', (ref) => (ref.sessionId.startsWith('chan:') ? channel : undefined));
  }
  const ref = sessionRef('acme', options.channel ? 'chan:1' : 'plain-1');
  await baton.submit(ref, { text: 'pay bob', source: 'test' });
  await baton.run(ref, { deadline: clock.now() + 600_000 });
  /** Decides `callId` as `identity`: 'ok', or the refusal's code; checks a refusal wrote nothing. */
  const decide = async (callId: string, identity: Identity): Promise<string> => {
    const before = await store.readEvents(ref);
    const enqueued = queue.messages.length;
    try {
      await baton.decide(ref, { callId, approved: true, identity });
      return 'ok';
    } catch (error) {
      expect(await store.readEvents(ref)).toEqual(before);
      expect(queue.messages.length).toBe(enqueued);
      return (error as { code: string; status: number }).code;
    }
  };
  return { decide, store, ref };
}

describe('approver policy', () => {
  it('admits by default any identity of the tenant that holds approve or admin', async () => {
    const { decide } = await waiting({});
    expect(await decide('mail', who('key:reader', ['read', 'send']))).toBe('not_an_approver');
    expect(await decide('mail', who('key:admin', ['admin']))).toBe('ok');
    expect(await decide('wire', who('key:any', ['approve']))).toBe('ok');
  });

  it('refuses an identity of another tenant before reading the session', async () => {
    const { decide } = await waiting({});
    expect(await decide('mail', who('key:intruder', ['approve', 'admin'], 'globex'))).toBe('tenant_mismatch');
  });

  it('admits only the listed users, matched exactly, when the agent names them', async () => {
    const { decide } = await waiting({ agent: { users: ['key:boss'] } });
    expect(await decide('mail', who('key:other'))).toBe('not_an_approver');
    expect(await decide('mail', who('key:bos'))).toBe('not_an_approver');
    expect(await decide('mail', who('key:boss', ['read']))).toBe('not_an_approver');
    expect(await decide('mail', who('key:boss'))).toBe('ok');
  });

  it('requires the policy scope when it names one', async () => {
    const { decide } = await waiting({ agent: { scope: 'admin' } });
    expect(await decide('mail', who('key:approver', ['approve']))).toBe('not_an_approver');
    expect(await decide('mail', who('key:root', ['admin']))).toBe('ok');
  });

  it('asks a function policy with the call, and only for identities that hold approve', async () => {
    const seen: unknown[] = [];
    const { decide } = await waiting({
      agent: (identity, call) => {
        seen.push(call);
        return identity.user === 'key:finance' && (call.args as { cents?: number }).cents === 900;
      },
    });
    expect(await decide('wire', who('key:finance', ['read']))).toBe('not_an_approver');
    expect(seen).toEqual([]);
    expect(await decide('mail', who('key:finance'))).toBe('not_an_approver');
    expect(await decide('wire', who('key:finance'))).toBe('ok');
    expect(seen).toContainEqual({ tool: 'wire_money', args: { to: 'bob', cents: 900 }, callId: 'wire' });
  });

  it("applies the tool's policy over the agent's", async () => {
    const { decide } = await waiting({ agent: { users: ['key:ops'] }, tool: { users: ['key:cfo'] } });
    expect(await decide('wire', who('key:ops'))).toBe('not_an_approver');
    expect(await decide('mail', who('key:cfo'))).toBe('not_an_approver');
    expect(await decide('wire', who('key:cfo'))).toBe('ok');
    expect(await decide('mail', who('key:ops'))).toBe('ok');
  });

  it("applies a channel's policy to its sessions unless the agent or tool has one", async () => {
    const channelOnly = await waiting({ channel: { users: ['slack:U1'] } });
    expect(await channelOnly.decide('mail', who('key:admin', ['approve', 'admin']))).toBe('not_an_approver');
    expect(await channelOnly.decide('mail', { ...who('slack:U1'), via: 'slack' })).toBe('ok');
    const agentWins = await waiting({ channel: { users: ['slack:U1'] }, agent: { users: ['key:ops'] } });
    expect(await agentWins.decide('mail', { ...who('slack:U1'), via: 'slack' })).toBe('not_an_approver');
    expect(await agentWins.decide('mail', who('key:ops'))).toBe('ok');
  });

  it('checks the policy on a repeated decision too, so only approvers learn the outcome', async () => {
    const { decide } = await waiting({ agent: { users: ['key:boss'] } });
    expect(await decide('mail', who('key:boss'))).toBe('ok');
    expect(await decide('mail', who('key:other'))).toBe('not_an_approver');
    expect(await decide('mail', who('key:boss'))).toBe('ok');
  });
});
