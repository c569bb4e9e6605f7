import type { JsonObject, ModelRequest, ModelStreamEvent } from '@baton/core';
import { type OpenAIFake, startOpenAIFake } from '@baton/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { azureOpenAIModel } from './azure-openai-model.js';
import { bedrockOpenAIModel } from './bedrock-openai-model.js';
import { openAIModel } from './openai-model.js';
import { strictCompatible } from './output-format.js';

let fake: OpenAIFake;
beforeEach(async () => {
  fake = await startOpenAIFake();
});
afterEach(async () => {
  await fake.close();
});

const closed = {
  type: 'object',
  properties: { city: { type: 'string' }, tempC: { type: 'number' } },
  required: ['city', 'tempC'],
  additionalProperties: false,
};
// zod's `.optional()`: a property that is not required, which strict mode does not allow.
const open = {
  type: 'object',
  properties: { city: { type: 'string' }, note: { type: 'string' } },
  required: ['city'],
};

function ask(schema: JsonObject): ModelRequest {
  return {
    instructions: 'Answer in JSON.',
    messages: [{ role: 'user', content: 'Weather in Oslo?' }],
    tools: [{ name: 'lookup', description: 'Weather', parameters: { type: 'object' } }],
    sessionKey: 'tenant/session-1',
    output: { name: 'weather', schema },
  };
}

const answer = '{"city":"Oslo","tempC":4}';

async function collect(events: AsyncIterable<ModelStreamEvent>): Promise<ModelStreamEvent[]> {
  const seen: ModelStreamEvent[] = [];
  for await (const event of events) seen.push(event);
  return seen;
}

describe('structured output over the OpenAI APIs', () => {
  it('sends response_format json_schema (strict) on Chat Completions and returns the JSON as text', async () => {
    fake.enqueue({ text: answer });
    const model = openAIModel({
      model: 'gpt-test',
      api: 'chat',
      apiKey: 'k',
      baseURL: fake.baseURL,
      maxRetries: 0,
    });

    const response = await model.generate(ask(closed));

    expect(response).toMatchObject({ text: answer, toolCalls: [], stopReason: 'end' });
    expect(fake.requests[0]!.body).toMatchObject({
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'weather', schema: closed, strict: true },
      },
      tools: [{ type: 'function', function: { name: 'lookup' } }],
    });
  });

  it('sends strict: false when the schema has an optional property, and streams the JSON as text deltas', async () => {
    fake.enqueue({ text: answer });
    const model = openAIModel({
      model: 'gpt-test',
      api: 'chat',
      apiKey: 'k',
      baseURL: fake.baseURL,
      maxRetries: 0,
    });

    const events = await collect(model.stream!(ask(open)));

    expect(events.at(-1)).toMatchObject({ type: 'response', response: { text: answer } });
    expect(events.some((event) => event.type === 'text_delta')).toBe(true);
    expect(fake.requests[0]!.body).toMatchObject({
      stream: true,
      response_format: { type: 'json_schema', json_schema: { name: 'weather', strict: false } },
    });
  });

  it('sends text.format json_schema on the Responses API and returns the output text', async () => {
    fake.enqueue({ text: answer });
    const model = openAIModel({ model: 'gpt-test', apiKey: 'k', baseURL: fake.baseURL, maxRetries: 0 });

    const response = await model.generate(ask(closed));

    expect(response.text).toBe(answer);
    expect(fake.requests[0]!.path).toBe('/v1/responses');
    expect(fake.requests[0]!.body).toMatchObject({
      text: { format: { type: 'json_schema', name: 'weather', schema: closed, strict: true } },
    });
  });

  it('maps the same way for an Azure OpenAI deployment and for gpt-oss on Bedrock', async () => {
    fake.enqueue({ text: answer }, { text: answer });
    const azure = azureOpenAIModel({
      endpoint: fake.url,
      deployment: 'gpt-4o-mini-prod',
      apiVersion: '2024-10-21',
      apiKey: 'azure-key',
      maxRetries: 0,
    });
    const bedrock = bedrockOpenAIModel({
      model: 'openai.gpt-oss-120b-1:0',
      apiKey: 'bedrock-key',
      baseURL: `${fake.url}/openai/v1`,
      maxRetries: 0,
    });

    expect((await azure.generate(ask(closed))).text).toBe(answer);
    expect((await bedrock.generate(ask(open))).text).toBe(answer);

    expect(fake.requests.map((request) => request.path)).toEqual([
      '/openai/deployments/gpt-4o-mini-prod/chat/completions',
      '/openai/v1/chat/completions',
    ]);
    expect(fake.requests[0]!.body).toMatchObject({
      response_format: { type: 'json_schema', json_schema: { name: 'weather', strict: true } },
    });
    expect(fake.requests[1]!.body).toMatchObject({
      response_format: { type: 'json_schema', json_schema: { name: 'weather', schema: open, strict: false } },
    });
  });

  it('sends no response format when the request has no output schema', async () => {
    fake.enqueue({ text: 'words' });
    const model = openAIModel({
      model: 'gpt-test',
      api: 'chat',
      apiKey: 'k',
      baseURL: fake.baseURL,
      maxRetries: 0,
    });
    const { output: _none, ...plain } = ask(closed);

    await model.generate(plain);

    expect(fake.requests[0]!.body).not.toHaveProperty('response_format');
  });
});

describe('strictCompatible', () => {
  it('allows closed objects with every property required, nested and in $defs', () => {
    expect(strictCompatible(closed)).toBe(true);
    expect(
      strictCompatible({
        type: 'object',
        properties: { items: { type: 'array', items: { $ref: '#/$defs/item' } } },
        required: ['items'],
        additionalProperties: false,
        $defs: { item: closed },
      }),
    ).toBe(true);
  });

  it('refuses optional properties, open objects and keywords strict mode does not support', () => {
    expect(strictCompatible(open)).toBe(false);
    expect(strictCompatible({ ...closed, additionalProperties: true })).toBe(false);
    expect(
      strictCompatible({
        ...closed,
        properties: { ...closed.properties, city: { type: 'string', minLength: 1 } },
      }),
    ).toBe(false);
    expect(strictCompatible({ ...closed, $defs: { x: { type: 'object', properties: { a: {} } } } })).toBe(
      false,
    );
  });
});
