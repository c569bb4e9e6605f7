import { join } from 'node:path';
import { sessionRef } from '@baton/core';
import { SqliteStore } from '@baton/store-sqlite';
import { describe, expect, it } from 'vitest';
import { A1_RESULT, body, useModelFakes } from './model-fakes.js';
import { supportAgent, world } from './model-loop-world.js';

const f = useModelFakes();

describe('Bedrock Agents through InvokeInlineAgent', () => {
  it('resumes two return-of-control rounds, one approval-gated, across a process restart', async () => {
    const path = join(f.dir, 'agents.db');
    const ref = sessionRef('acme', 'refund-42');
    f.agentFake.enqueue(
      {
        returnControl: {
          invocationId: 'inv-1',
          invocations: [{ function: 'refund_order', parameters: { orderId: 'A1', amount: '25.5' } }],
        },
        usage: { inputTokens: 300, outputTokens: 20 },
      },
      {
        returnControl: {
          invocationId: 'inv-2',
          invocations: [{ function: 'lookup_order', parameters: { orderId: 'A1' } }],
        },
        usage: { inputTokens: 340, outputTokens: 15 },
      },
      {
        text: 'Refunded 25.5 on order A1, which has shipped.',
        usage: { inputTokens: 380, outputTokens: 14 },
      },
    );

    // Process 1: the first round asks for the refund, which waits for a person.
    const firstStore = new SqliteStore({ path });
    const first = world(firstStore, supportAgent(f.inlineAgentModel()), f.clock);
    const waiting = await first.turn(ref, 'Please refund 25.5 on order A1.');
    expect(waiting).toMatchObject({ kind: 'waiting_approval', callIds: ['inv-1_0'] });
    expect(await first.baton.session(ref)).toMatchObject({
      status: 'waiting_approval',
      pendingApprovals: [
        { callId: 'inv-1_0', tool: 'refund_order', arguments: '{"orderId":"A1","amount":25.5}' },
      ],
    });
    await firstStore.close();
    expect(f.agentFake.requests).toHaveLength(1);

    // Process 2: a new store on the same file, a new model and client; nothing else survives.
    f.clock.advance(60_000);
    const secondStore = new SqliteStore({ path });
    const second = world(secondStore, supportAgent(f.inlineAgentModel()), f.clock);
    await second.baton.decide(ref, {
      callId: 'inv-1_0',
      approved: true,
      identity: { tenant: ref.tenant, user: 'ops@acme', scopes: ['approve'], via: 'jwt' },
    });
    const finished = await second.run(ref);

    expect(finished).toMatchObject({
      kind: 'finished',
      text: 'Refunded 25.5 on order A1, which has shipped.',
    });
    expect(f.agentFake.requests).toHaveLength(3);
    const sessionIds = f.agentFake.requests.map((request) => f.agentFake.sessionIdOf(request));
    expect(new Set(sessionIds).size).toBe(1);
    expect(body(f.agentFake.requests[0])).toMatchObject({ inputText: 'Please refund 25.5 on order A1.' });
    expect(body(f.agentFake.requests[0]).inlineSessionState).toBeUndefined();
    // The second round resumes the first round's invocation with the approved refund's result.
    expect(body(f.agentFake.requests[1]).inputText).toBeUndefined();
    expect(body(f.agentFake.requests[1]).inlineSessionState).toEqual({
      invocationId: 'inv-1',
      returnControlInvocationResults: [
        {
          functionResult: {
            actionGroup: 'baton_tools',
            function: 'refund_order',
            responseBody: { TEXT: { body: '{"refunded":25.5}' } },
          },
        },
      ],
    });
    // The third call resumes the second round.
    expect(body(f.agentFake.requests[2]).inlineSessionState).toEqual({
      invocationId: 'inv-2',
      returnControlInvocationResults: [
        {
          functionResult: {
            actionGroup: 'baton_tools',
            function: 'lookup_order',
            responseBody: { TEXT: { body: A1_RESULT } },
          },
        },
      ],
    });

    const events = await second.baton.events(ref);
    expect(events.map((event) => event.kind)).toEqual([
      'input',
      'model_response',
      'interrupt',
      'decision',
      'tool_intent',
      'tool_result',
      'model_response',
      'tool_result',
      'model_response',
      'run_finished',
    ]);
    expect(
      events.flatMap((event) =>
        event.kind === 'model_response' ? [event.providerState?.bedrockInlineAgent] : [],
      ),
    ).toEqual([
      { sessionId: sessionIds[0], invocationId: 'inv-1' },
      { sessionId: sessionIds[0], invocationId: 'inv-2' },
      { sessionId: sessionIds[0] },
    ]);
    expect(events.filter((event) => event.kind === 'tool_result')).toMatchObject([
      { callId: 'inv-1_0', name: 'refund_order', outcome: 'ok', output: { refunded: 25.5 } },
      { callId: 'inv-2_0', name: 'lookup_order', outcome: 'ok' },
    ]);
    expect(await second.baton.session(ref)).toMatchObject({
      status: 'idle',
      toolState: { refunded: { orderId: 'A1', amount: 25.5 } },
      usage: { inputTokens: 1020, outputTokens: 49 },
    });
    await secondStore.close();
  });
});
