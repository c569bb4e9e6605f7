import { MemoryStore, sessionRef } from '@baton/core';
import { ManualClock } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { body, useModelFakes } from './model-fakes.js';
import { supportAgent, timeless, world } from './model-loop-world.js';

const f = useModelFakes();

describe('streaming and non-streaming runs of the same script', () => {
  async function runScript(stream: boolean, model: () => ReturnType<typeof f.chatModel>) {
    const ref = sessionRef('acme', 'stream-or-not');
    const local = world(new MemoryStore(), supportAgent(model(), { stream }), new ManualClock());
    const outcome = await local.turn(ref, 'Where is order A1?');
    expect(outcome).toMatchObject({ kind: 'finished', text: 'Order A1 has shipped, arriving Friday.' });
    return timeless(await local.baton.events(ref));
  }

  it('commit identical events on Chat Completions SSE and JSON', async () => {
    const script = () =>
      f.openai.enqueue(
        {
          text: 'Let me look.',
          toolCalls: [{ id: 'call_a1', name: 'lookup_order', arguments: '{"orderId":"A1"}' }],
          usage: { input: 40, output: 12, cached: 8 },
        },
        { text: 'Order A1 has shipped, arriving Friday.', usage: { input: 70, output: 9 } },
      );
    script();
    const plain = await runScript(false, () => f.chatModel(0));
    script();
    const streamed = await runScript(true, () => f.chatModel(0));

    expect(f.openai.requests.map((request) => body(request).stream)).toEqual([false, false, true, true]);
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
      f.converse.enqueue(
        {
          text: 'Let me look.',
          toolUses: [{ toolUseId: 'tooluse_a1', name: 'lookup_order', input: { orderId: 'A1' } }],
          usage: { inputTokens: 40, outputTokens: 12 },
        },
        { text: 'Order A1 has shipped, arriving Friday.', usage: { inputTokens: 70, outputTokens: 9 } },
      );
    script();
    const plain = await runScript(false, f.converseModel);
    script();
    const streamed = await runScript(true, f.converseModel);

    expect(f.converse.requests.map((request) => f.converse.routeOf(request)?.stream)).toEqual([
      false,
      false,
      true,
      true,
    ]);
    expect(streamed).toEqual(plain);
    expect(plain).toHaveLength(5);
  });
});
