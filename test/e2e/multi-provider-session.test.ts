import { join } from 'node:path';
import { type RunMessage, sessionRef } from '@baton/core';
import { SqliteStore } from '@baton/store-sqlite';
import { describe, expect, it } from 'vitest';
import {
  A1_RESULT,
  AZURE_DEPLOYMENT,
  B2_RESULT,
  body,
  CONVERSE_MODEL,
  useModelFakes,
} from './model-fakes.js';
import { INSTRUCTIONS, supportAgent, world } from './model-loop-world.js';

const f = useModelFakes();

describe('one session across OpenAI Chat Completions, Bedrock Converse and Azure OpenAI', () => {
  it('carries the whole history, tool calls and results included, in each provider wire shape', async () => {
    const store = new SqliteStore({ path: join(f.dir, 'baton.db') });
    const ref = sessionRef('acme', 'multi-provider');
    const queue: RunMessage[] = [];
    f.openai.enqueue(
      { toolCalls: [{ id: 'call_a1', name: 'lookup_order', arguments: '{"orderId":"A1"}' }] },
      { text: 'Order A1 has shipped.' },
      { text: 'You are welcome.' },
    );
    f.converse.enqueue(
      { toolUses: [{ toolUseId: 'tooluse_b2', name: 'lookup_order', input: { orderId: 'B2' } }] },
      { text: 'Order B2 is being packed.' },
      { text: 'Anything else?' },
    );
    f.azure.enqueue(
      { toolCalls: [{ id: 'call_a1_again', name: 'lookup_order', arguments: '{"orderId":"A1"}' }] },
      { text: 'A1 is still shipped.' },
      { text: 'Goodbye.' },
    );

    const onOpenAI = world(store, supportAgent(f.chatModel()), f.clock, queue);
    expect(await onOpenAI.turn(ref, 'Where is order A1?')).toMatchObject({
      kind: 'finished',
      text: 'Order A1 has shipped.',
    });
    expect(await onOpenAI.turn(ref, 'Thanks!')).toMatchObject({ text: 'You are welcome.' });

    const onConverse = world(store, supportAgent(f.converseModel()), f.clock, queue);
    expect(await onConverse.turn(ref, 'And order B2?')).toMatchObject({ text: 'Order B2 is being packed.' });
    expect(await onConverse.turn(ref, 'Ok.')).toMatchObject({ text: 'Anything else?' });

    const onAzure = world(store, supportAgent(f.azureModel()), f.clock, queue);
    expect(await onAzure.turn(ref, 'Check A1 again')).toMatchObject({ text: 'A1 is still shipped.' });
    expect(await onAzure.turn(ref, 'Bye')).toMatchObject({ kind: 'finished', text: 'Goodbye.' });

    // Converse got the OpenAI turns, the OpenAI tool call and its result as toolUse / toolResult blocks.
    expect(f.converse.requests.map((request) => f.converse.routeOf(request))).toEqual([
      { modelId: CONVERSE_MODEL, stream: false },
      { modelId: CONVERSE_MODEL, stream: false },
      { modelId: CONVERSE_MODEL, stream: false },
    ]);
    const firstConverse = body(f.converse.requests[0]);
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
    const firstAzure = f.azure.requests[0]!;
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
    expect(body(f.azure.requests[2]).messages).toEqual([
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
    expect([f.openai.script.pending, f.converse.script.pending, f.azure.script.pending]).toEqual([0, 0, 0]);
    await store.close();
  });
});
