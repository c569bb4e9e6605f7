import { ConfigurationError, type Environment, type ModelRequest } from '@baton/core';
import { type OpenAIFake, startOpenAIFake } from '@baton/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { modelProviders } from './model-providers.js';

let fake: OpenAIFake;
beforeEach(async () => {
  fake = await startOpenAIFake();
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await fake.close();
});

const request: ModelRequest = {
  instructions: 'Be brief.',
  messages: [{ role: 'user', content: 'Hi' }],
  tools: [],
  sessionKey: 'tenant/session-1',
};

function provider(id: string) {
  const found = modelProviders.find((candidate) => candidate.id === id);
  if (!found) throw new Error(`no provider ${id}`);
  return found;
}

/** The error `create` throws, checked to be a one-line ConfigurationError. */
function configurationError(id: string, modelId: string | undefined, env: Environment): ConfigurationError {
  let thrown: unknown;
  try {
    provider(id).create(modelId, env);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ConfigurationError);
  const error = thrown as ConfigurationError;
  expect(error.message).not.toContain('\n');
  return error;
}

describe('modelProviders', () => {
  it('serves the four OpenAI-family provider ids with specification v1', () => {
    expect(modelProviders.map((candidate) => [candidate.id, candidate.specificationVersion])).toEqual([
      ['openai', 'v1'],
      ['azure-openai', 'v1'],
      ['openai-compatible', 'v1'],
      ['bedrock-openai', 'v1'],
    ]);
  });
});

describe('openai provider', () => {
  it('calls the Responses API with the key when the environment is complete', async () => {
    fake.enqueue({ text: 'Hello from OpenAI.' });
    const env = { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: fake.baseURL };

    const model = provider('openai').create('gpt-5-mini', env);
    const response = await model.generate(request);

    expect(response.text).toBe('Hello from OpenAI.');
    expect(model).toMatchObject({ provider: 'openai', modelId: 'gpt-5-mini' });
    const sent = fake.requests[0]!;
    expect(fake.routeOf(sent)?.api).toBe('responses');
    expect(sent.headers.authorization).toBe('Bearer sk-test');
    expect(sent.body).toMatchObject({ model: 'gpt-5-mini' });
    expect(provider('openai').description('gpt-5-mini', env)).toBe(
      `OpenAI gpt-5-mini at ${fake.baseURL} (Responses API)`,
    );
  });

  it('uses gpt-5-mini at api.openai.com when no model and no base URL are given', () => {
    const env = { OPENAI_API_KEY: 'sk-test' };

    expect(provider('openai').create(undefined, env).modelId).toBe('gpt-5-mini');
    expect(provider('openai').description(undefined, env)).toBe(
      'OpenAI gpt-5-mini at https://api.openai.com/v1 (Responses API)',
    );
  });

  it('calls Chat Completions when BATON_OPENAI_API is chat', async () => {
    fake.enqueue({ text: 'ok' });
    const env = { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: fake.baseURL, BATON_OPENAI_API: 'chat' };

    await provider('openai').create('gpt-4.1-mini', env).generate(request);

    expect(fake.routeOf(fake.requests[0]!)?.api).toBe('chat');
    expect(provider('openai').description('gpt-4.1-mini', env)).toContain('(Chat Completions)');
  });

  it('reads its settings from the environment it is given, not from process.env', () => {
    vi.stubEnv('OPENAI_API_KEY', 'sk-from-process-env');

    expect(configurationError('openai', 'gpt-5-mini', {}).message).toContain('OPENAI_API_KEY');
  });
});

describe('openai-compatible provider', () => {
  it('calls Chat Completions without a key when the server needs none', async () => {
    fake.enqueue({ text: 'Hello from llama.' });
    const env = { OPENAI_BASE_URL: fake.baseURL };

    const model = provider('openai-compatible').create('llama3.2', env);
    const response = await model.generate(request);

    expect(response.text).toBe('Hello from llama.');
    expect(model).toMatchObject({ provider: 'openai-compatible', modelId: 'llama3.2' });
    const sent = fake.requests[0]!;
    expect(fake.routeOf(sent)?.api).toBe('chat');
    expect(sent.headers.authorization).toBe('Bearer no-key');
    expect(provider('openai-compatible').description('llama3.2', env)).toBe(
      `llama3.2 at ${fake.baseURL} (OpenAI-compatible, Chat Completions)`,
    );
  });

  it('calls the Responses API with OPENAI_API_KEY when BATON_OPENAI_API is responses', async () => {
    fake.enqueue({ text: 'ok' });
    const env = {
      OPENAI_BASE_URL: fake.baseURL,
      OPENAI_API_KEY: 'gateway-key',
      BATON_OPENAI_API: 'responses',
    };

    await provider('openai-compatible').create('qwen3', env).generate(request);

    expect(fake.routeOf(fake.requests[0]!)?.api).toBe('responses');
    expect(fake.requests[0]!.headers.authorization).toBe('Bearer gateway-key');
  });
});

describe('azure-openai provider', () => {
  it("calls the v1 API's Chat Completions with the deployment when the environment is complete", async () => {
    fake.enqueue({ text: 'Hello from Azure.' });
    const env = { AZURE_OPENAI_ENDPOINT: `${fake.url}/`, AZURE_OPENAI_API_KEY: 'azure-key' };

    const model = provider('azure-openai').create('gpt-4o-mini-prod', env);
    const response = await model.generate(request);

    expect(response.text).toBe('Hello from Azure.');
    expect(model).toMatchObject({ provider: 'azure-openai', modelId: 'gpt-4o-mini-prod' });
    const sent = fake.requests[0]!;
    expect(sent.path).toBe('/openai/v1/chat/completions');
    expect(sent.headers.authorization).toBe('Bearer azure-key');
    expect(sent.body).toMatchObject({ model: 'gpt-4o-mini-prod' });
    expect(provider('azure-openai').description('gpt-4o-mini-prod', env)).toContain(
      '(api-version v1, Chat Completions)',
    );
  });

  it('calls the deployment path with an api-key header when OPENAI_API_VERSION is dated', async () => {
    fake.enqueue({ text: 'ok' });
    const env = {
      AZURE_OPENAI_ENDPOINT: fake.url,
      AZURE_OPENAI_API_KEY: 'azure-key',
      OPENAI_API_VERSION: '2024-10-21',
    };

    await provider('azure-openai').create('gpt-4o-mini-prod', env).generate(request);

    const sent = fake.requests[0]!;
    expect(fake.routeOf(sent)).toEqual({
      api: 'chat',
      deployment: 'gpt-4o-mini-prod',
      apiVersion: '2024-10-21',
    });
    expect(sent.headers['api-key']).toBe('azure-key');
  });
});

describe('bedrock-openai provider', () => {
  it('calls Chat Completions with the Bedrock API key, even when BATON_OPENAI_API is responses', async () => {
    fake.enqueue({ text: 'Hello from gpt-oss.' });
    const env = {
      AWS_BEARER_TOKEN_BEDROCK: 'bedrock-key',
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: fake.url,
      BATON_OPENAI_API: 'responses',
    };

    const model = provider('bedrock-openai').create('openai.gpt-oss-120b-1:0', env);
    const response = await model.generate(request);

    expect(response.text).toBe('Hello from gpt-oss.');
    expect(model.provider).toBe('bedrock-openai');
    const sent = fake.requests[0]!;
    expect(sent.path).toBe('/openai/v1/chat/completions');
    expect(sent.headers.authorization).toBe('Bearer bedrock-key');
    expect(sent.body).toMatchObject({ model: 'openai.gpt-oss-120b-1:0' });
  });

  it("builds the region's bedrock-runtime address when given AWS_REGION", () => {
    const env = { AWS_BEARER_TOKEN_BEDROCK: 'bedrock-key', AWS_REGION: 'us-west-2' };

    expect(provider('bedrock-openai').description('openai.gpt-oss-20b-1:0', env)).toBe(
      'openai.gpt-oss-20b-1:0 on Amazon Bedrock at https://bedrock-runtime.us-west-2.amazonaws.com/openai/v1 (OpenAI-compatible Chat Completions)',
    );
  });
});

describe('a missing or malformed setting', () => {
  const azure = { AZURE_OPENAI_ENDPOINT: 'https://my-resource.openai.azure.com', AZURE_OPENAI_API_KEY: 'k' };
  const bedrock = { AWS_BEARER_TOKEN_BEDROCK: 'bedrock-key', AWS_REGION: 'us-west-2' };
  it.each<[string, string | undefined, Environment, string]>([
    ['openai', 'gpt-5-mini', {}, 'OPENAI_API_KEY'],
    ['openai', 'gpt-5-mini', { OPENAI_API_KEY: ' ' }, 'OPENAI_API_KEY'],
    ['openai', 'gpt-5-mini', { OPENAI_API_KEY: 'k', OPENAI_BASE_URL: 'localhost:11434' }, 'OPENAI_BASE_URL'],
    ['openai', 'gpt-5-mini', { OPENAI_API_KEY: 'k', BATON_OPENAI_API: 'completions' }, 'BATON_OPENAI_API'],
    ['openai-compatible', 'llama3.2', {}, 'OPENAI_BASE_URL'],
    ['openai-compatible', undefined, { OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1' }, 'BATON_MODEL'],
    ['azure-openai', 'prod', { AZURE_OPENAI_API_KEY: 'k' }, 'AZURE_OPENAI_ENDPOINT'],
    ['azure-openai', undefined, azure, 'BATON_MODEL'],
    ['azure-openai', 'prod', { ...azure, AZURE_OPENAI_API_KEY: undefined }, 'AZURE_OPENAI_API_KEY'],
    ['bedrock-openai', undefined, bedrock, 'BATON_MODEL'],
    ['bedrock-openai', 'openai.gpt-oss-20b-1:0', { AWS_REGION: 'us-west-2' }, 'AWS_BEARER_TOKEN_BEDROCK'],
    ['bedrock-openai', 'openai.gpt-oss-20b-1:0', { AWS_BEARER_TOKEN_BEDROCK: 'k' }, 'AWS_REGION'],
    ['bedrock-openai', 'openai.gpt-oss-20b-1:0', { ...bedrock, AWS_REGION: 'evil.example/x' }, 'AWS_REGION'],
  ])('stops %s with a one-line ConfigurationError naming the setting (%#: %s)', (id, modelId, env, name) => {
    const error = configurationError(id, modelId, env);

    expect(error.message).toContain(name);
    expect(provider(id).description(modelId, env)).toBe(`not configured: ${error.message}`);
  });

  it('tells a compatible server without a model which setting to add', () => {
    expect(
      configurationError('openai-compatible', undefined, { OPENAI_BASE_URL: fake.baseURL }).message,
    ).toBe(
      'openai-compatible needs BATON_MODEL (or a model name "openai-compatible:<model>") — the model your server serves',
    );
  });
});
