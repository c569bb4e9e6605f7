import type { BedrockAgentRuntimeClientConfig } from '@aws-sdk/client-bedrock-agent-runtime';
import type { ModelRequest, ModelStreamEvent, ToolSpec } from '@baton/core';
import { awsError, type BedrockAgentFake, startBedrockAgentFake, truncated } from '@baton/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bedrockInlineAgentModel } from './inline-agent-model.js';

let fake: BedrockAgentFake;
beforeEach(async () => {
  fake = await startBedrockAgentFake();
});
afterEach(async () => {
  await fake.close();
});

function agent(extra: BedrockAgentRuntimeClientConfig = {}) {
  return bedrockInlineAgentModel({
    foundationModel: 'us.anthropic.claude-3-5-haiku-20241022-v1:0',
    clientConfig: {
      endpoint: fake.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDFAKEFAKEFAKE', secretAccessKey: 'fake-secret' },
      maxAttempts: 1,
      ...extra,
    },
  });
}

const checkWeather: ToolSpec = {
  name: 'check_weather',
  description: 'Weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

function ask(messages: ModelRequest['messages'], overrides: Partial<ModelRequest> = {}): ModelRequest {
  return {
    instructions: 'You are a travel assistant. Answer questions about the weather.',
    messages,
    tools: [checkWeather],
    sessionKey: 'tenant-a/trip-42',
    ...overrides,
  };
}

async function collect(events: AsyncIterable<ModelStreamEvent>): Promise<ModelStreamEvent[]> {
  const seen: ModelStreamEvent[] = [];
  for await (const event of events) seen.push(event);
  return seen;
}

describe('bedrockInlineAgentModel failures and streaming', () => {
  it('rejects a tool name Bedrock Agents does not allow without calling the service', async () => {
    const bad: ToolSpec = { name: '_private__tool', description: 'x', parameters: { type: 'object' } };

    await expect(
      agent().generate(ask([{ role: 'user', content: 'Hi' }], { tools: [bad] })),
    ).rejects.toMatchObject({
      name: 'ModelError',
      retryable: false,
    });
    expect(fake.requests).toHaveLength(0);
  });

  it.each([
    [429, 'ThrottlingException', true],
    [500, 'InternalServerException', true],
    [400, 'ValidationException', false],
    [403, 'AccessDeniedException', false],
  ])(
    'throws a ModelError when the service answers %i %s (retryable: %s)',
    async (status, type, retryable) => {
      fake.enqueue(awsError(status, type, 'it went wrong'));

      await expect(agent().generate(ask([{ role: 'user', content: 'Hi' }]))).rejects.toMatchObject({
        name: 'ModelError',
        retryable,
        details: { provider: 'bedrock-agent', upstreamStatus: status },
      });
    },
  );

  it('throws a retryable ModelError when a throttling exception arrives in the event stream', async () => {
    fake.enqueue({
      usage: { inputTokens: 1, outputTokens: 1 },
      streamException: { type: 'throttlingException', message: 'slow down' },
    });

    await expect(agent().generate(ask([{ role: 'user', content: 'Hi' }]))).rejects.toMatchObject({
      retryable: true,
    });
  });

  it('throws a retryable ModelError when the event stream is cut off', async () => {
    fake.enqueue(truncated({ usage: { inputTokens: 1, outputTokens: 1 }, text: 'Hello there, traveller.' }));

    await expect(agent().generate(ask([{ role: 'user', content: 'Hi' }]))).rejects.toMatchObject({
      retryable: true,
    });
  });

  it('streams answer chunks and announces returned tool calls when used through stream()', async () => {
    fake.enqueue({
      text: 'Let me check.',
      returnControl: {
        invocationId: 'inv-2',
        invocations: [{ function: 'check_weather', parameters: { city: 'Bergen' } }],
      },
    });

    const events = await collect(agent().stream!(ask([{ role: 'user', content: 'Weather in Bergen?' }])));

    expect(events.map((event) => event.type)).toEqual([
      'text_delta',
      'text_delta',
      'tool_call_delta',
      'response',
    ]);
    expect(events[2]).toEqual({
      type: 'tool_call_delta',
      callId: 'inv-2_0',
      name: 'check_weather',
      argumentsDelta: '{"city":"Bergen"}',
    });
  });
});
