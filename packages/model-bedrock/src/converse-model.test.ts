import type { BedrockRuntimeClientConfig } from '@aws-sdk/client-bedrock-runtime';
import type { ModelRequest } from '@baton/core';
import { awsError, type BedrockConverseFake, malformedBody, startBedrockConverseFake } from '@baton/testing';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bedrockConverseModel } from './converse-model.js';

const MODEL_ID = 'anthropic.claude-3-5-haiku-20241022-v1:0';
let fake: BedrockConverseFake;
beforeEach(async () => {
  fake = await startBedrockConverseFake();
});
afterEach(async () => {
  await fake.close();
});

function clientConfig(extra: BedrockRuntimeClientConfig = {}): BedrockRuntimeClientConfig {
  return {
    endpoint: fake.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDFAKEFAKEFAKE', secretAccessKey: 'fake-secret' },
    maxAttempts: 1,
    ...extra,
  };
}

function converse(extra: BedrockRuntimeClientConfig = {}) {
  return bedrockConverseModel({
    modelId: MODEL_ID,
    clientConfig: clientConfig(extra),
    inferenceConfig: { maxTokens: 256 },
  });
}

const weatherTool = {
  name: 'get_weather',
  description: 'Weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

function ask(overrides: Partial<ModelRequest> = {}): ModelRequest {
  return {
    instructions: 'Be brief.',
    messages: [{ role: 'user', content: 'Hi' }],
    tools: [],
    sessionKey: 'tenant/session-1',
    ...overrides,
  };
}

const toolHistory: ModelRequest['messages'] = [
  { role: 'user', content: 'Oslo and Bergen?' },
  {
    role: 'assistant',
    content: 'Checking.',
    toolCalls: [
      { callId: 'tooluse_1', name: 'get_weather', arguments: '{"city":"Oslo"}' },
      { callId: 'tooluse_2', name: 'get_weather', arguments: '{"city":"Bergen"}' },
    ],
  },
  { role: 'tool', callId: 'tooluse_1', name: 'get_weather', content: '{"tempC":4}', isError: false },
  { role: 'tool', callId: 'tooluse_2', name: 'get_weather', content: '', isError: true },
  { role: 'user', content: 'Which is warmer?' },
];

describe('bedrockConverseModel', () => {
  it('returns the text, usage and stop reason when the model answers in words', async () => {
    fake.enqueue({ text: 'Hello.', usage: { inputTokens: 11, outputTokens: 2, cacheReadInputTokens: 7 } });

    const response = await converse().generate(ask());

    expect(response).toEqual({
      text: 'Hello.',
      toolCalls: [],
      usage: { inputTokens: 11, outputTokens: 2, cachedInputTokens: 7 },
      stopReason: 'end',
      model: MODEL_ID,
    });
    const sent = fake.requests[0]!;
    expect(fake.routeOf(sent)).toEqual({ modelId: MODEL_ID, stream: false });
    expect(sent.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDFAKEFAKEFAKE\//);
    expect(sent.body).toEqual({
      messages: [{ role: 'user', content: [{ text: 'Hi' }] }],
      system: [{ text: 'Be brief.' }],
      inferenceConfig: { maxTokens: 256 },
    });
  });

  it('returns parallel tool calls with their input as a JSON string when the model uses two tools', async () => {
    fake.enqueue({
      toolUses: [
        { toolUseId: 'tooluse_1', name: 'get_weather', input: { city: 'Oslo' } },
        { toolUseId: 'tooluse_2', name: 'get_weather', input: { city: 'Bergen' } },
      ],
    });

    const response = await converse().generate(ask({ tools: [weatherTool] }));

    expect(response.stopReason).toBe('tool_calls');
    expect(response.toolCalls).toEqual([
      { callId: 'tooluse_1', name: 'get_weather', arguments: '{"city":"Oslo"}' },
      { callId: 'tooluse_2', name: 'get_weather', arguments: '{"city":"Bergen"}' },
    ]);
    expect(fake.requests[0]!.body).toMatchObject({
      toolConfig: {
        tools: [
          {
            toolSpec: {
              name: 'get_weather',
              description: 'Weather for a city',
              inputSchema: { json: weatherTool.parameters },
            },
          },
        ],
      },
    });
  });

  it('passes tool input through unparsed when the model produced a string instead of JSON', async () => {
    fake.enqueue({ toolUses: [{ toolUseId: 'tooluse_1', name: 'get_weather', input: '{"city": Oslo' }] });

    const response = await converse().generate(ask({ tools: [weatherTool] }));

    expect(response.toolCalls[0]?.arguments).toBe('{"city": Oslo');
  });

  it('sends merged tool results with non-empty error content when the history has tool calls', async () => {
    fake.enqueue({ text: 'Oslo is colder.' });

    await converse().generate(ask({ tools: [weatherTool], messages: toolHistory }));

    expect((fake.requests[0]!.body as { messages: unknown }).messages).toEqual([
      { role: 'user', content: [{ text: 'Oslo and Bergen?' }] },
      {
        role: 'assistant',
        content: [
          { text: 'Checking.' },
          { toolUse: { toolUseId: 'tooluse_1', name: 'get_weather', input: { city: 'Oslo' } } },
          { toolUse: { toolUseId: 'tooluse_2', name: 'get_weather', input: { city: 'Bergen' } } },
        ],
      },
      {
        role: 'user',
        content: [
          { toolResult: { toolUseId: 'tooluse_1', content: [{ text: '{"tempC":4}' }], status: 'success' } },
          { toolResult: { toolUseId: 'tooluse_2', content: [{ text: '(no output)' }], status: 'error' } },
          { text: 'Which is warmer?' },
        ],
      },
    ]);
  });

  it('declares the tools the history used when the agent offers no tools now', async () => {
    fake.enqueue({ text: 'Oslo is colder.' });

    await converse().generate(ask({ tools: [], messages: toolHistory }));

    expect(fake.requests[0]!.body).toMatchObject({
      toolConfig: {
        tools: [{ toolSpec: { name: 'get_weather', inputSchema: { json: { type: 'object' } } } }],
      },
    });
  });

  it.each([
    ['max_tokens', 'max_tokens'],
    ['model_context_window_exceeded', 'max_tokens'],
    ['stop_sequence', 'end'],
    ['content_filtered', 'content_filter'],
    ['guardrail_intervened', 'content_filter'],
    ['malformed_tool_use', 'other'],
    ['a_reason_from_the_future', 'other'],
  ])('maps stopReason %s to %s when the model stops', async (stopReason, expected) => {
    fake.enqueue({ text: 'partial', stopReason });

    expect((await converse().generate(ask())).stopReason).toBe(expected);
  });

  it.each([
    [429, 'ThrottlingException', true],
    [503, 'ServiceUnavailableException', true],
    [408, 'ModelTimeoutException', true],
    [500, 'InternalServerException', true],
    [400, 'ValidationException', false],
    [403, 'AccessDeniedException', false],
    [404, 'ResourceNotFoundException', false],
  ])('throws a ModelError when Bedrock answers %i %s (retryable: %s)', async (status, type, retryable) => {
    fake.enqueue(awsError(status, type, 'it went wrong'));

    const error = await converse()
      .generate(ask())
      .catch((caught: unknown) => caught);

    expect(error).toMatchObject({
      name: 'ModelError',
      retryable,
      details: { provider: 'bedrock', upstreamStatus: status },
    });
    expect((error as Error).message).toContain(type);
  });

  it('succeeds on the retry when a throttle is followed by an answer', async () => {
    fake.enqueue(awsError(429, 'ThrottlingException', 'slow down'), { text: 'ok' });

    const model = converse({ retryStrategy: new ConfiguredRetryStrategy(2, 0) });

    expect((await model.generate(ask())).text).toBe('ok');
    expect(fake.requests).toHaveLength(2);
  });

  it('makes two attempts by default when Bedrock keeps failing', async () => {
    fake.enqueue(
      awsError(503, 'ServiceUnavailableException', 'busy'),
      awsError(503, 'ServiceUnavailableException', 'busy'),
    );
    const model = bedrockConverseModel({
      modelId: MODEL_ID,
      clientConfig: { endpoint: fake.url, region: 'us-east-1', credentials: clientConfig().credentials },
    });

    await expect(model.generate(ask())).rejects.toMatchObject({ retryable: true });
    expect(fake.requests).toHaveLength(2);
  });

  it('does not retry when Bedrock rejects the request as invalid', async () => {
    fake.enqueue(awsError(400, 'ValidationException', 'bad'), { text: 'never sent' });

    const model = converse({ retryStrategy: new ConfiguredRetryStrategy(2, 0) });

    await expect(model.generate(ask())).rejects.toMatchObject({ retryable: false });
    expect(fake.requests).toHaveLength(1);
  });

  it('throws a retryable ModelError when the body is malformed JSON', async () => {
    fake.enqueue(malformedBody());

    await expect(converse().generate(ask())).rejects.toMatchObject({ name: 'ModelError', retryable: true });
  });
});
