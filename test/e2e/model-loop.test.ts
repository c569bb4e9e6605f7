import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStore, type RunMessage, sessionRef } from '@baton/core';
import { bedrockConverseModel, bedrockInlineAgentModel } from '@baton/model-bedrock';
import { azureOpenAIModel, openAIModel } from '@baton/model-openai';
import { SqliteStore } from '@baton/store-sqlite';
import {
  awsError,
  type BedrockAgentFake,
  type BedrockConverseFake,
  ManualClock,
  type OpenAIFake,
  openAIError,
  startBedrockAgentFake,
  startBedrockConverseFake,
  startOpenAIFake,
} from '@baton/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AWS_CREDENTIALS, INSTRUCTIONS, supportAgent, timeless, world } from './model-loop-world.js';

const CONVERSE_MODEL = 'anthropic.claude-3-5-haiku-20241022-v1:0';
const AGENT_FOUNDATION_MODEL = 'us.anthropic.claude-3-5-haiku-20241022-v1:0';
const AZURE_DEPLOYMENT = 'gpt-4o-support';

let openai: OpenAIFake;
let azure: OpenAIFake;
let converse: BedrockConverseFake;
let agentFake: BedrockAgentFake;
let clock: ManualClock;
let dir: string;

beforeEach(async () => {
  [openai, azure, converse, agentFake] = await Promise.all([
    startOpenAIFake(),
    startOpenAIFake(),
    startBedrockConverseFake(),
    startBedrockAgentFake(),
  ]);
  clock = new ManualClock();
  dir = mkdtempSync(join(tmpdir(), 'baton-model-loop-'));
});
afterEach(async () => {
  await Promise.all([openai.close(), azure.close(), converse.close(), agentFake.close()]);
  rmSync(dir, { recursive: true, force: true });
});

function chatModel(maxRetries?: number) {
  return openAIModel({
    model: 'gpt-test',
    api: 'chat',
    apiKey: 'test-key',
    baseURL: openai.baseURL,
    ...(maxRetries === undefined ? {} : { maxRetries }),
  });
}

function azureModel() {
  return azureOpenAIModel({
    endpoint: azure.url,
    deployment: AZURE_DEPLOYMENT,
    apiVersion: '2024-10-21',
    apiKey: 'azure-test-key',
  });
}

function converseModel() {
  return bedrockConverseModel({
    modelId: CONVERSE_MODEL,
    clientConfig: {
      endpoint: converse.url,
      region: 'us-east-1',
      credentials: AWS_CREDENTIALS,
      maxAttempts: 1,
    },
  });
}

function inlineAgentModel() {
  return bedrockInlineAgentModel({
    foundationModel: AGENT_FOUNDATION_MODEL,
    clientConfig: {
      endpoint: agentFake.url,
      region: 'us-east-1',
      credentials: AWS_CREDENTIALS,
      maxAttempts: 1,
    },
  });
}

const A1_RESULT = '{"orderId":"A1","status":"shipped"}';
const B2_RESULT = '{"orderId":"B2","status":"packing"}';

type Body = Record<string, unknown>;
const body = (request: { body: unknown } | undefined) => request?.body as Body;

describe('one session across OpenAI Chat Completions, Bedrock Converse and Azure OpenAI', () => {
  it('carries the whole history, tool calls and results included, in each provider wire shape', async () => {
    const store = new SqliteStore({ path: join(dir, 'baton.db') });
    const ref = sessionRef('acme', 'multi-provider');
    const queue: RunMessage[] = [];
    openai.enqueue(
      { toolCalls: [{ id: 'call_a1', name: 'lookup_order', arguments: '{"orderId":"A1"}' }] },
      { text: 'Order A1 has shipped.' },
      { text: 'You are welcome.' },
    );
    converse.enqueue(
      { toolUses: [{ toolUseId: 'tooluse_b2', name: 'lookup_order', input: { orderId: 'B2' } }] },
      { text: 'Order B2 is being packed.' },
      { text: 'Anything else?' },
    );
    azure.enqueue(
      { toolCalls: [{ id: 'call_a1_again', name: 'lookup_order', arguments: '{"orderId":"A1"}' }] },
      { text: 'A1 is still shipped.' },
      { text: 'Goodbye.' },
    );

    const onOpenAI = world(store, supportAgent(chatModel()), clock, queue);
    expect(await onOpenAI.turn(ref, 'Where is order A1?')).toMatchObject({
      kind: 'finished',
      text: 'Order A1 has shipped.',
    });
    expect(await onOpenAI.turn(ref, 'Thanks!')).toMatchObject({ text: 'You are welcome.' });

    const onConverse = world(store, supportAgent(converseModel()), clock, queue);
    expect(await onConverse.turn(ref, 'And order B2?')).toMatchObject({ text: 'Order B2 is being packed.' });
    expect(await onConverse.turn(ref, 'Ok.')).toMatchObject({ text: 'Anything else?' });

    const onAzure = world(store, supportAgent(azureModel()), clock, queue);
    expect(await onAzure.turn(ref, 'Check A1 again')).toMatchObject({ text: 'A1 is still shipped.' });
    expect(await onAzure.turn(ref, 'Bye')).toMatchObject({ kind: 'finished', text: 'Goodbye.' });

    // Converse got the OpenAI turns, the OpenAI tool call and its result as toolUse / toolResult blocks.
    expect(converse.requests.map((request) => converse.routeOf(request))).toEqual([
      { modelId: CONVERSE_MODEL, stream: false },
      { modelId: CONVERSE_MODEL, stream: false },
      { modelId: CONVERSE_MODEL, stream: false },
    ]);
    const firstConverse = body(converse.requests[0]);
    expect(firstConverse.system).toEqual([{ text: INSTRUCTIONS }]);
    expect(firstConverse.toolConfig).toMatchObject({
      tools: [{ toolSpec: { name: 'lookup_order' } }, { toolSpec: { name: 'refund_order' } }],
    });
    expect(firstConverse.messages).toEqual([
      { role: 'user', content: [{ text: 'Where is order A1?' }] },
      {
        role: 'assistant',
        content: [{ toolUse: { toolUseId: 'call_a1', name: 'lookup_order', input: { orderId: 'A1' } } }],
      },
      {
        role: 'user',
        content: [
          { toolResult: { toolUseId: 'call_a1', content: [{ text: A1_RESULT }], status: 'success' } },
        ],
      },
      { role: 'assistant', content: [{ text: 'Order A1 has shipped.' }] },
      { role: 'user', content: [{ text: 'Thanks!' }] },
      { role: 'assistant', content: [{ text: 'You are welcome.' }] },
      { role: 'user', content: [{ text: 'And order B2?' }] },
    ]);

    // Azure got all of it on its deployment path: the Converse toolUse as an OpenAI tool call.
    const firstAzure = azure.requests[0]!;
    expect(firstAzure.path).toBe(`/openai/deployments/${AZURE_DEPLOYMENT}/chat/completions`);
    expect(firstAzure.query).toEqual({ 'api-version': '2024-10-21' });
    const toolCall = (id: string, orderId: string) => ({
      role: 'assistant',
      content: null,
      tool_calls: [
        { id, type: 'function', function: { name: 'lookup_order', arguments: `{"orderId":"${orderId}"}` } },
      ],
    });
    const historyBeforeAzure = [
      { role: 'system', content: INSTRUCTIONS },
      { role: 'user', content: 'Where is order A1?' },
      toolCall('call_a1', 'A1'),
      { role: 'tool', tool_call_id: 'call_a1', content: A1_RESULT },
      { role: 'assistant', content: 'Order A1 has shipped.' },
      { role: 'user', content: 'Thanks!' },
      { role: 'assistant', content: 'You are welcome.' },
      { role: 'user', content: 'And order B2?' },
      toolCall('tooluse_b2', 'B2'),
      { role: 'tool', tool_call_id: 'tooluse_b2', content: B2_RESULT },
      { role: 'assistant', content: 'Order B2 is being packed.' },
      { role: 'user', content: 'Ok.' },
      { role: 'assistant', content: 'Anything else?' },
      { role: 'user', content: 'Check A1 again' },
    ];
    expect(body(firstAzure).messages).toEqual(historyBeforeAzure);
    expect(body(azure.requests[2]).messages).toEqual([
      ...historyBeforeAzure,
      toolCall('call_a1_again', 'A1'),
      { role: 'tool', tool_call_id: 'call_a1_again', content: A1_RESULT },
      { role: 'assistant', content: 'A1 is still shipped.' },
      { role: 'user', content: 'Bye' },
    ]);

    // The log names who answered each step; the session ends idle with every input answered.
    const events = await onAzure.baton.events(ref);
    expect(events.flatMap((event) => (event.kind === 'model_response' ? [event.provider] : []))).toEqual([
      'openai',
      'openai',
      'openai',
      'bedrock',
      'bedrock',
      'bedrock',
      'azure-openai',
      'azure-openai',
      'azure-openai',
    ]);
    expect(events.filter((event) => event.kind === 'run_finished')).toHaveLength(6);
    expect(events.some((event) => event.kind === 'error')).toBe(false);
    expect(await onAzure.baton.session(ref)).toMatchObject({ status: 'idle', lastReply: 'Goodbye.' });
    expect([openai.script.pending, converse.script.pending, azure.script.pending]).toEqual([0, 0, 0]);
    await store.close();
  });
});

describe('provider errors in the loop', () => {
  it('finishes the run when the SDK retries a 429 within the same run', async () => {
    const ref = sessionRef('acme', 'throttled-once');
    openai.enqueue(openAIError(429, 'Rate limit reached', { headers: { 'retry-after': '0' } }), {
      text: 'Hello after the throttle.',
    });
    const local = world(new MemoryStore(), supportAgent(chatModel(1)), clock);

    const outcome = await local.turn(ref, 'Hi');

    expect(outcome).toMatchObject({ kind: 'finished', text: 'Hello after the throttle.' });
    expect(openai.requests).toHaveLength(2);
    expect(body(openai.requests[1])).toEqual(body(openai.requests[0]));
    const events = await local.baton.events(ref);
    expect(events.map((event) => event.kind)).toEqual(['input', 'model_response', 'run_finished']);
    expect(await local.baton.session(ref)).toMatchObject({ status: 'idle' });
  });

  it('retries a 429 through the queue when the SDK does not: the next run succeeds and the session ends once', async () => {
    const ref = sessionRef('acme', 'throttled-queue');
    converse.enqueue(awsError(429, 'ThrottlingException', 'Too many requests'), {
      text: 'Second time lucky.',
    });
    const local = world(new MemoryStore(), supportAgent(converseModel()), clock);

    await local.baton.submit(ref, { text: 'Hi', source: 'test' });
    const error = await local.run(ref).catch((caught: unknown) => caught);

    expect(error).toMatchObject({ name: 'ModelError', retryable: true });
    expect(converse.requests).toHaveLength(1);
    // Nothing is recorded for a retryable failure: the input stays unanswered and its message queued.
    expect((await local.baton.events(ref)).map((event) => event.kind)).toEqual(['input']);
    expect(local.queue.map((message) => [message.sessionId, message.reason])).toEqual([
      ['throttled-queue', 'input'],
    ]);
    const deadline = clock.now() + 300_000;

    // The queue redelivers the message; the same deadline still holds (the clock has not moved).
    const redelivered = await local.baton.handle(local.queue[0]!, { deadline });

    expect(redelivered).toEqual({ kind: 'done', outcome: 'finished' });
    expect(converse.requests).toHaveLength(2);
    const events = await local.baton.events(ref);
    expect(events.map((event) => event.kind)).toEqual(['input', 'model_response', 'run_finished']);
    expect(events.at(-1)).toMatchObject({
      kind: 'run_finished',
      reason: 'completed',
      text: 'Second time lucky.',
    });
    expect(await local.baton.session(ref)).toMatchObject({ status: 'idle', lastReply: 'Second time lucky.' });
  });

  it('does not retry a 400 and records it on the session', async () => {
    const ref = sessionRef('acme', 'bad-request');
    openai.enqueue(openAIError(400, "Invalid value for 'messages'"), { text: 'never sent' });
    // SDK retries on (the default): the 400 must still be sent once only.
    const local = world(new MemoryStore(), supportAgent(chatModel()), clock);

    const outcome = await local.turn(ref, 'Hi');

    expect(outcome).toMatchObject({ kind: 'failed', error: { retryable: false } });
    expect(openai.requests).toHaveLength(1);
    expect(openai.script.pending).toBe(1);
    const events = await local.baton.events(ref);
    expect(events.map((event) => event.kind)).toEqual(['input', 'error', 'run_finished']);
    expect(events[1]).toMatchObject({ kind: 'error', retryable: false });
    expect((events[1] as { message: string }).message).toContain("Invalid value for 'messages'");
    expect(events[2]).toMatchObject({ kind: 'run_finished', reason: 'failed', text: '' });
    expect(await local.baton.session(ref)).toMatchObject({ status: 'failed' });
    // A later run finds nothing to do and sends nothing.
    await local.run(ref);
    expect(openai.requests).toHaveLength(1);
  });
});

describe('streaming and non-streaming runs of the same script', () => {
  async function runScript(stream: boolean, model: () => ReturnType<typeof chatModel>) {
    const ref = sessionRef('acme', 'stream-or-not');
    const local = world(new MemoryStore(), supportAgent(model(), { stream }), new ManualClock());
    const outcome = await local.turn(ref, 'Where is order A1?');
    expect(outcome).toMatchObject({ kind: 'finished', text: 'Order A1 has shipped, arriving Friday.' });
    return timeless(await local.baton.events(ref));
  }

  it('commit identical events on Chat Completions SSE and JSON', async () => {
    const script = () =>
      openai.enqueue(
        {
          text: 'Let me look.',
          toolCalls: [{ id: 'call_a1', name: 'lookup_order', arguments: '{"orderId":"A1"}' }],
          usage: { input: 40, output: 12, cached: 8 },
        },
        { text: 'Order A1 has shipped, arriving Friday.', usage: { input: 70, output: 9 } },
      );
    script();
    const plain = await runScript(false, () => chatModel(0));
    script();
    const streamed = await runScript(true, () => chatModel(0));

    expect(openai.requests.map((request) => body(request).stream)).toEqual([false, false, true, true]);
    expect(streamed).toEqual(plain);
    expect(plain.map((event) => (event as { kind: string }).kind)).toEqual([
      'input',
      'model_response',
      'tool_result',
      'model_response',
      'run_finished',
    ]);
    expect(plain[1]).toMatchObject({
      text: 'Let me look.',
      usage: { inputTokens: 40, outputTokens: 12, cachedInputTokens: 8 },
    });
  });

  it('commit identical events on ConverseStream and Converse', async () => {
    const script = () =>
      converse.enqueue(
        {
          text: 'Let me look.',
          toolUses: [{ toolUseId: 'tooluse_a1', name: 'lookup_order', input: { orderId: 'A1' } }],
          usage: { inputTokens: 40, outputTokens: 12 },
        },
        { text: 'Order A1 has shipped, arriving Friday.', usage: { inputTokens: 70, outputTokens: 9 } },
      );
    script();
    const plain = await runScript(false, converseModel);
    script();
    const streamed = await runScript(true, converseModel);

    expect(converse.requests.map((request) => converse.routeOf(request)?.stream)).toEqual([
      false,
      false,
      true,
      true,
    ]);
    expect(streamed).toEqual(plain);
    expect(plain).toHaveLength(5);
  });
});

describe('Bedrock Agents through InvokeInlineAgent', () => {
  it('resumes two return-of-control rounds, one approval-gated, across a process restart', async () => {
    const path = join(dir, 'agents.db');
    const ref = sessionRef('acme', 'refund-42');
    agentFake.enqueue(
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
    const first = world(firstStore, supportAgent(inlineAgentModel()), clock);
    const waiting = await first.turn(ref, 'Please refund 25.5 on order A1.');
    expect(waiting).toMatchObject({ kind: 'waiting_approval', callIds: ['inv-1_0'] });
    expect(await first.baton.session(ref)).toMatchObject({
      status: 'waiting_approval',
      pendingApprovals: [
        { callId: 'inv-1_0', tool: 'refund_order', arguments: '{"orderId":"A1","amount":25.5}' },
      ],
    });
    await firstStore.close();
    expect(agentFake.requests).toHaveLength(1);

    // Process 2: a new store on the same file, a new model and client; nothing else survives.
    clock.advance(60_000);
    const secondStore = new SqliteStore({ path });
    const second = world(secondStore, supportAgent(inlineAgentModel()), clock);
    await second.baton.decide(ref, { callId: 'inv-1_0', approved: true, by: 'ops@acme' });
    const finished = await second.run(ref);

    expect(finished).toMatchObject({
      kind: 'finished',
      text: 'Refunded 25.5 on order A1, which has shipped.',
    });
    expect(agentFake.requests).toHaveLength(3);
    const sessionIds = agentFake.requests.map((request) => agentFake.sessionIdOf(request));
    expect(new Set(sessionIds).size).toBe(1);
    expect(body(agentFake.requests[0])).toMatchObject({ inputText: 'Please refund 25.5 on order A1.' });
    expect(body(agentFake.requests[0]).inlineSessionState).toBeUndefined();
    // The second round resumes the first round's invocation with the approved refund's result.
    expect(body(agentFake.requests[1]).inputText).toBeUndefined();
    expect(body(agentFake.requests[1]).inlineSessionState).toEqual({
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
    expect(body(agentFake.requests[2]).inlineSessionState).toEqual({
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
