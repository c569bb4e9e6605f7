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
  model = openAIModel({ model: 'gpt-test', apiKey: 'test-key', baseURL: fake.baseURL, maxRetries: 0 });
});
afterEach(async () => {
  await fake.close();
});

const weatherTool = { name: 'get_weather', description: 'Weather', parameters: { type: 'object' } };

function ask(overrides: Partial<ModelRequest> = {}): ModelRequest {
  return {
    instructions: 'Be brief.',
    messages: [{ role: 'user', content: 'Hi' }],
    tools: [],
    sessionKey: 'tenant/session-1',
    ...overrides,
  };
}

async function collect(events: AsyncIterable<ModelStreamEvent>): Promise<ModelStreamEvent[]> {
  const seen: ModelStreamEvent[] = [];
  for await (const event of events) seen.push(event);
  return seen;
}

const toolTurn: OpenAIFakeTurn = {
  text: 'Checking.',
  toolCalls: [
    { id: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}' },
    { id: 'call_2', name: 'get_weather', arguments: '{"city": Bergen}' },
  ],
  usage: { input: 30, output: 12, cached: 16 },
};

describe('openAIModel with the Responses API', () => {
  it('returns the text, usage and cached tokens when the model answers in words', async () => {
    fake.enqueue({ text: 'Hello.', usage: { input: 40, output: 2, cached: 32 } });

    expect(await model.generate(ask())).toEqual({
      text: 'Hello.',
      toolCalls: [],
      usage: { inputTokens: 40, outputTokens: 2, cachedInputTokens: 32 },
      stopReason: 'end',
      model: 'gpt-test',
    });
    expect(fake.requests[0]!.path).toBe('/v1/responses');
  });

  it('sends the whole conversation statelessly when the history has tool calls and results', async () => {
    fake.enqueue({ text: 'Oslo is colder.' });

    await model.generate(
      ask({
        tools: [weatherTool],
        messages: [
          { role: 'user', content: 'Oslo and Bergen?' },
          {
            role: 'assistant',
            content: 'Checking.',
            toolCalls: [
              { callId: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}' },
              { callId: 'call_2', name: 'get_weather', arguments: '{"city":"Bergen"}' },
            ],
          },
          { role: 'tool', callId: 'call_1', name: 'get_weather', content: '{"tempC":4}', isError: false },
          { role: 'tool', callId: 'call_2', name: 'get_weather', content: 'service down', isError: true },
        ],
      }),
    );

    const body = fake.requests[0]!.body as Record<string, unknown>;
    expect(body).toMatchObject({
      model: 'gpt-test',
      instructions: 'Be brief.',
      store: false,
      tools: [{ type: 'function', name: 'get_weather', parameters: { type: 'object' }, strict: false }],
    });
    expect(body).not.toHaveProperty('previous_response_id');
    expect(body.input).toEqual([
      { type: 'message', role: 'user', content: 'Oslo and Bergen?' },
      { type: 'message', role: 'assistant', content: 'Checking.' },
      { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}' },
      { type: 'function_call', call_id: 'call_2', name: 'get_weather', arguments: '{"city":"Bergen"}' },
      { type: 'function_call_output', call_id: 'call_1', output: '{"tempC":4}' },
      { type: 'function_call_output', call_id: 'call_2', output: 'service down' },
    ]);
  });

  it('returns parallel function calls with malformed arguments unparsed when the model calls two tools', async () => {
    fake.enqueue(toolTurn);

    const response = await model.generate(ask({ tools: [weatherTool] }));

    expect(response.stopReason).toBe('tool_calls');
    expect(response.text).toBe('Checking.');
    expect(response.toolCalls).toEqual([
      { callId: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}' },
      { callId: 'call_2', name: 'get_weather', arguments: '{"city": Bergen}' },
    ]);
  });

  it.each([
    ['max_output_tokens', 'max_tokens'],
    ['content_filter', 'content_filter'],
    ['something_new', 'other'],
  ])('maps an incomplete response for %s to %s', async (incompleteReason, stopReason) => {
    fake.enqueue({ text: 'partial', status: 'incomplete', incompleteReason });

    expect((await model.generate(ask())).stopReason).toBe(stopReason);
  });

  it('maps an unknown status to other when the response is neither completed nor incomplete', async () => {
    fake.enqueue({ text: 'later', status: 'queued' });

    expect((await model.generate(ask())).stopReason).toBe('other');
  });

  it.each([
    ['server_error', true],
    ['invalid_prompt', false],
  ])('throws a ModelError when the response failed with %s (retryable: %s)', async (code, retryable) => {
    fake.enqueue({ status: 'failed', error: { code, message: 'it failed' } });

    await expect(model.generate(ask())).rejects.toMatchObject({ name: 'ModelError', retryable });
  });

  it('throws a retryable ModelError when the provider answers 429', async () => {
    fake.enqueue(openAIError(429, 'Rate limit reached'));

    await expect(model.generate(ask())).rejects.toMatchObject({
      retryable: true,
      details: { upstreamStatus: 429 },
    });
  });

  it('throws a non-retryable ModelError when the provider answers 400', async () => {
    fake.enqueue(openAIError(400, 'Invalid schema for function'));

    await expect(model.generate(ask())).rejects.toMatchObject({
      retryable: false,
      details: { upstreamStatus: 400 },
    });
  });
});

describe('openAIModel.stream with the Responses API', () => {
  it('yields text and argument deltas and ends with the response generate returns for the same script', async () => {
    fake.enqueue(toolTurn, toolTurn);

    const events = await collect(model.stream!(ask({ tools: [weatherTool] })));
    const generated = await model.generate(ask({ tools: [weatherTool] }));

    expect(events.at(-1)).toEqual({ type: 'response', response: generated });
    const text = events.flatMap((event) => (event.type === 'text_delta' ? [event.text] : []));
    expect(text.join('')).toBe('Checking.');
    const bergen = events.flatMap((event) =>
      event.type === 'tool_call_delta' && event.callId === 'call_2' ? [event] : [],
    );
    expect(bergen[0]).toMatchObject({ name: 'get_weather', argumentsDelta: '' });
    expect(bergen.map((event) => event.argumentsDelta).join('')).toBe('{"city": Bergen}');
    expect(fake.requests[0]!.body).toMatchObject({ stream: true, store: false });
  });

  it('throws a retryable ModelError when the stream is cut off before the response finishes', async () => {
    fake.enqueue(truncated(toolTurn));

    await expect(collect(model.stream!(ask()))).rejects.toMatchObject({
      name: 'ModelError',
      retryable: true,
    });
  });

  it('throws a non-retryable ModelError when the streamed response fails on invalid input', async () => {
    fake.enqueue({ status: 'failed', error: { code: 'invalid_prompt', message: 'flagged' } });

    await expect(collect(model.stream!(ask()))).rejects.toMatchObject({
      name: 'ModelError',
      retryable: false,
    });
  });
});
