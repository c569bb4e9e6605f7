import type { ModelRequest } from '@baton/core';
import { type OpenAIFake, startOpenAIFake } from '@baton/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { bedrockOpenAIBaseURL, bedrockOpenAIModel } from './bedrock-openai-model.js';
import { openAICompatibleModel } from './openai-model.js';

let fake: OpenAIFake;
beforeEach(async () => {
  fake = await startOpenAIFake();
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await fake.close();
});

const request: ModelRequest = {
  instructions: '',
  messages: [{ role: 'user', content: 'Hi' }],
  tools: [],
  sessionKey: 'tenant/session-1',
};

describe('bedrockOpenAIBaseURL', () => {
  it('builds the bedrock-runtime OpenAI URL when given a region', () => {
    expect(bedrockOpenAIBaseURL('us-west-2')).toBe(
      'https://bedrock-runtime.us-west-2.amazonaws.com/openai/v1',
    );
  });

  it('builds the bedrock-mantle URL when the endpoint is mantle', () => {
    expect(bedrockOpenAIBaseURL('eu-central-1', 'mantle')).toBe(
      'https://bedrock-mantle.eu-central-1.api.aws/v1',
    );
  });

  it('rejects a value that is not a region when given one', () => {
    expect(() => bedrockOpenAIBaseURL('evil.example.com/x')).toThrow(/not an AWS region/);
  });
});

describe('bedrockOpenAIModel', () => {
  it('calls Chat Completions with the Bedrock API key as a bearer token when pointed at an endpoint', async () => {
    fake.enqueue({ text: 'Hello from gpt-oss.', usage: { input: 9, output: 4 } });
    const model = bedrockOpenAIModel({
      model: 'openai.gpt-oss-120b-1:0',
      apiKey: 'bedrock-test-key',
      baseURL: `${fake.url}/openai/v1`,
      maxRetries: 0,
    });

    const response = await model.generate(request);

    expect(response).toMatchObject({
      text: 'Hello from gpt-oss.',
      usage: { inputTokens: 9, outputTokens: 4 },
    });
    expect(model.provider).toBe('bedrock-openai');
    const sent = fake.requests[0]!;
    expect(sent.path).toBe('/openai/v1/chat/completions');
    expect(sent.headers.authorization).toBe('Bearer bedrock-test-key');
    expect(sent.body).toMatchObject({ model: 'openai.gpt-oss-120b-1:0' });
    expect(sent.body).not.toHaveProperty('messages.0.role', 'system');
  });

  it('reads the key from AWS_BEARER_TOKEN_BEDROCK when none is given', async () => {
    vi.stubEnv('AWS_BEARER_TOKEN_BEDROCK', 'bedrock-env-key');
    fake.enqueue({ text: 'ok' });

    await bedrockOpenAIModel({ model: 'openai.gpt-oss-20b-1:0', baseURL: fake.baseURL }).generate(request);

    expect(fake.requests[0]!.headers.authorization).toBe('Bearer bedrock-env-key');
  });

  it('refuses to start when there is no Bedrock API key', () => {
    vi.stubEnv('AWS_BEARER_TOKEN_BEDROCK', '');
    expect(() => bedrockOpenAIModel({ model: 'openai.gpt-oss-20b-1:0', region: 'us-east-1' })).toThrow(
      /apiKey/,
    );
  });
});

describe('openAICompatibleModel', () => {
  it('sends a placeholder key rather than OPENAI_API_KEY when the server needs no key', async () => {
    vi.stubEnv('OPENAI_API_KEY', 'sk-real-openai-key');
    fake.enqueue({ text: 'Hello from llama.' });
    const model = openAICompatibleModel({ baseURL: fake.baseURL, model: 'llama3.2', maxOutputTokens: 64 });

    const response = await model.generate(request);

    expect(response.text).toBe('Hello from llama.');
    expect(model.provider).toBe('openai-compatible');
    const sent = fake.requests[0]!;
    expect(sent.path).toBe('/v1/chat/completions');
    expect(sent.headers.authorization).toBe('Bearer no-key');
    expect(sent.body).toMatchObject({ model: 'llama3.2', max_tokens: 64 });
  });
});
