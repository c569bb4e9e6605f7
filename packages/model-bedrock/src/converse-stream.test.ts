import type { Model, ModelRequest, ModelStreamEvent } from '@baton/core';
import {
  awsError,
  type BedrockConverseFake,
  type ConverseFakeTurn,
  startBedrockConverseFake,
  truncated,
} from '@baton/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bedrockConverseModel } from './converse-model.js';

const MODEL_ID = 'amazon.nova-lite-v1:0';
let fake: BedrockConverseFake;
let model: Model;
beforeEach(async () => {
  fake = await startBedrockConverseFake();
  model = bedrockConverseModel({
    modelId: MODEL_ID,
    clientConfig: {
      endpoint: fake.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDFAKEFAKEFAKE', secretAccessKey: 'fake-secret' },
      maxAttempts: 1,
    },
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

const toolTurn: ConverseFakeTurn = {
  text: 'Checking both.',
  toolUses: [
    { toolUseId: 'tooluse_1', name: 'get_weather', input: { city: 'Oslo' } },
    { toolUseId: 'tooluse_2', name: 'get_weather', input: { city: 'Bergen' } },
  ],
  usage: { inputTokens: 21, outputTokens: 13 },
};

describe('bedrockConverseModel.stream', () => {
  it('yields text deltas and then the complete response over ConverseStream', async () => {
    fake.enqueue({ text: 'Hello there.', usage: { inputTokens: 5, outputTokens: 2 } });

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
        model: MODEL_ID,
      },
    });
    expect(fake.routeOf(fake.requests[0]!)).toEqual({ modelId: MODEL_ID, stream: true });
    expect(fake.requests[0]!.httpVersion).toBe('2.0');
  });

  it('concatenates streamed tool input fragments into the same response generate returns', async () => {
    fake.enqueue(toolTurn, toolTurn);

    const events = await collect(model.stream!(request));
    const generated = await model.generate(request);

    expect(events.at(-1)).toEqual({ type: 'response', response: generated });
    const oslo = events.flatMap((event) =>
      event.type === 'tool_call_delta' && event.callId === 'tooluse_1' ? [event] : [],
    );
    expect(oslo[0]).toEqual({
      type: 'tool_call_delta',
      callId: 'tooluse_1',
      name: 'get_weather',
      argumentsDelta: '',
    });
    expect(oslo.length).toBeGreaterThan(2);
  });

  it('keeps malformed streamed tool input as the raw string when the model breaks the JSON', async () => {
    fake.enqueue({ toolUses: [{ toolUseId: 'tooluse_1', name: 'get_weather', input: '{"city": "Oslo' }] });

    const last = (await collect(model.stream!(request))).at(-1);

    expect(last).toMatchObject({
      response: { toolCalls: [{ arguments: '{"city": "Oslo' }], stopReason: 'tool_calls' },
    });
  });

  it('throws a retryable ModelError when a throttling exception arrives mid-stream', async () => {
    fake.enqueue({
      ...toolTurn,
      streamException: { type: 'throttlingException', message: 'Too many tokens' },
    });

    const error = await collect(model.stream!(request)).catch((caught: unknown) => caught);

    expect(error).toMatchObject({ name: 'ModelError', retryable: true });
    expect((error as Error).message).toMatch(/ThrottlingException/);
  });

  it('throws a non-retryable ModelError when a validation exception arrives mid-stream', async () => {
    fake.enqueue({ text: 'x', streamException: { type: 'validationException', message: 'Bad input' } });

    await expect(collect(model.stream!(request))).rejects.toMatchObject({ retryable: false });
  });

  it('throws a retryable ModelError when the stream is cut off before the model finishes', async () => {
    fake.enqueue(truncated(toolTurn));

    await expect(collect(model.stream!(request))).rejects.toMatchObject({
      name: 'ModelError',
      retryable: true,
    });
  });

  it('throws a retryable ModelError when ConverseStream answers 429 before streaming', async () => {
    fake.enqueue(awsError(429, 'ThrottlingException', 'slow down'));

    await expect(collect(model.stream!(request))).rejects.toMatchObject({
      retryable: true,
      details: { upstreamStatus: 429 },
    });
  });
});
