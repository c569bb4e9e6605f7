import type { Model, ModelRequest, ModelStreamEvent } from '@baton/core';
import {
  type OpenAIFake,
  type OpenAIFakeTurn,
  openAIError,
  startOpenAIFake,
  truncated,
} from '@baton/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openAIModel } from './openai-model.js';

let fake: OpenAIFake;
let model: Model;
beforeEach(async () => {
  fake = await startOpenAIFake();
  model = openAIModel({
    model: 'gpt-test',
    api: 'chat',
    apiKey: 'test-key',
    baseURL: fake.baseURL,
    maxRetries: 0,
  });
});
afterEach(async () => {
  await fake.close();
});

const request: ModelRequest = {
  instructions: 'Be brief.',
  messages: [{ role: 'user', content: 'Weather in Oslo and Bergen?' }],
  tools: [{ name: 'get_weather', description: 'Weather', parameters: { type: 'object' } }],
  sessionKey: 'tenant/session-1',
};

async function collect(events: AsyncIterable<ModelStreamEvent>): Promise<ModelStreamEvent[]> {
  const seen: ModelStreamEvent[] = [];
  for await (const event of events) seen.push(event);
  return seen;
}

const toolTurn: OpenAIFakeTurn = {
  text: 'Checking.',
  toolCalls: [
    { id: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}' },
    { id: 'call_2', name: 'get_weather', arguments: '{"city":"Bergen"' },
  ],
  usage: { input: 20, output: 9 },
};

describe('openAIModel.stream with Chat Completions', () => {
  it('yields text deltas and then the complete response when the model answers in words', async () => {
    fake.enqueue({ text: 'Hello there.', usage: { input: 5, output: 2 } });

    const events = await collect(model.stream!(request));

    expect(events.filter((event) => event.type === 'text_delta').map((event) => event.text)).toEqual([
      'Hello ',
      'there.',
    ]);
    expect(events.at(-1)).toEqual({
      type: 'response',
      response: {
        text: 'Hello there.',
        toolCalls: [],
        usage: { inputTokens: 5, outputTokens: 2 },
        stopReason: 'end',
        model: 'gpt-test',
      },
    });
    expect(fake.requests[0]!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('yields tool call deltas named on their first delta when the model calls tools', async () => {
    fake.enqueue(toolTurn);

    const deltas = (await collect(model.stream!(request))).filter(
      (event) => event.type === 'tool_call_delta',
    );

    expect(deltas[0]).toEqual({
      type: 'tool_call_delta',
      callId: 'call_1',
      name: 'get_weather',
      argumentsDelta: '',
    });
    expect(deltas.filter((delta) => 'name' in delta)).toHaveLength(2);
    const bergen = deltas.filter((delta) => delta.callId === 'call_2').map((delta) => delta.argumentsDelta);
    expect(bergen.join('')).toBe('{"city":"Bergen"');
  });

  it('ends with the same response generate returns when both get the same script', async () => {
    fake.enqueue(toolTurn, toolTurn);

    const streamed = (await collect(model.stream!(request))).at(-1);
    const generated = await model.generate(request);

    expect(streamed).toEqual({ type: 'response', response: generated });
    expect(generated.toolCalls[1]?.arguments).toBe('{"city":"Bergen"');
  });

  it('throws a retryable ModelError when the stream is cut off before the model finishes', async () => {
    fake.enqueue(truncated(toolTurn));

    await expect(collect(model.stream!(request))).rejects.toMatchObject({
      name: 'ModelError',
      retryable: true,
    });
  });

  it('throws a retryable ModelError when the provider answers 429 before streaming', async () => {
    fake.enqueue(openAIError(429, 'Rate limit reached', { headers: { 'retry-after': '0' } }));

    await expect(collect(model.stream!(request))).rejects.toMatchObject({
      retryable: true,
      details: { upstreamStatus: 429 },
    });
  });
});
