import { ConfigurationError, ModelRegistry, type ModelRequest } from '@baton/core';
import { type OpenAIFake, startOpenAIFake } from '@baton/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { modelProviders } from './model-providers.js';

let fake: OpenAIFake;
beforeEach(async () => {
  fake = await startOpenAIFake();
});
afterEach(async () => {
  await fake.close();
});

const request: ModelRequest = {
  instructions: '',
  messages: [{ role: 'user', content: 'Hi' }],
  tools: [],
  sessionKey: 'tenant/session-1',
};

describe('ModelRegistry with the OpenAI-family providers', () => {
  it("serves the environment's compatible server when the agent names no model", async () => {
    fake.enqueue({ text: 'Hello from llama.' });
    const registry = new ModelRegistry(modelProviders, {
      OPENAI_BASE_URL: fake.baseURL,
      BATON_MODEL: 'llama3.2',
    });

    const resolved = registry.resolve(undefined);
    const response = await resolved.model.generate(request);

    expect(response.text).toBe('Hello from llama.');
    expect(resolved).toMatchObject({
      offline: false,
      model: { provider: 'openai-compatible', modelId: 'llama3.2' },
    });
    expect(resolved.description).toBe(`llama3.2 at ${fake.baseURL} (OpenAI-compatible, Chat Completions)`);
    expect(fake.requests[0]!.body).toMatchObject({ model: 'llama3.2' });
  });

  it("serves an agent's openai:gpt-5-mini next to the environment's model when OPENAI_API_KEY is set", async () => {
    fake.enqueue({ text: 'from gpt-5-mini' }, { text: 'from llama' });
    const registry = new ModelRegistry(modelProviders, {
      OPENAI_BASE_URL: fake.baseURL,
      BATON_MODEL: 'llama3.2',
      OPENAI_API_KEY: 'sk-test',
    });

    const named = registry.resolve('openai:gpt-5-mini');
    const fromEnvironment = registry.resolve(undefined);

    expect((await named.model.generate(request)).text).toBe('from gpt-5-mini');
    expect((await fromEnvironment.model.generate(request)).text).toBe('from llama');
    expect(
      fake.requests.map((sent) => [fake.routeOf(sent)?.api, (sent.body as { model: string }).model]),
    ).toEqual([
      ['responses', 'gpt-5-mini'],
      ['chat', 'llama3.2'],
    ]);
  });

  it('refuses openai:gpt-5-mini with a one-line error when OPENAI_API_KEY is missing', () => {
    const registry = new ModelRegistry(modelProviders, {
      OPENAI_BASE_URL: fake.baseURL,
      BATON_MODEL: 'llama3.2',
    });

    expect(() => registry.resolve('openai:gpt-5-mini')).toThrow(ConfigurationError);
    expect(() => registry.resolve('openai:gpt-5-mini')).toThrow(
      /^openai needs OPENAI_API_KEY — an OpenAI API key$/,
    );
  });

  it('stops with a one-line ConfigurationError naming BATON_MODEL when only OPENAI_BASE_URL is set', () => {
    const registry = new ModelRegistry(modelProviders, { OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1' });

    expect(() => registry.resolve(undefined)).toThrow(ConfigurationError);
    expect(() => registry.resolve(undefined)).toThrow(/^openai-compatible needs BATON_MODEL [^\n]*$/);
  });

  it('applies the default model gpt-5-mini when only OPENAI_API_KEY is set', () => {
    const registry = new ModelRegistry(modelProviders, { OPENAI_API_KEY: 'sk-test' });

    const resolved = registry.resolve(undefined);

    expect(resolved.model).toMatchObject({ provider: 'openai', modelId: 'gpt-5-mini' });
    expect(resolved.description).toBe('OpenAI gpt-5-mini at https://api.openai.com/v1 (Responses API)');
  });

  it('reads the short form BATON_MODEL=<provider>:<model>', () => {
    const registry = new ModelRegistry(modelProviders, {
      BATON_MODEL: 'azure-openai:gpt-4o-mini-prod',
      AZURE_OPENAI_ENDPOINT: 'https://my-resource.openai.azure.com',
      AZURE_OPENAI_API_KEY: 'azure-key',
    });

    expect(registry.resolve(undefined).model).toMatchObject({
      provider: 'azure-openai',
      modelId: 'gpt-4o-mini-prod',
    });
  });
});
