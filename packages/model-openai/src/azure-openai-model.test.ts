import type { ModelRequest } from '@baton/core';
import { type OpenAIFake, startOpenAIFake } from '@baton/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { azureOpenAIModel } from './azure-openai-model.js';

let fake: OpenAIFake;
beforeEach(async () => {
  fake = await startOpenAIFake();
});
afterEach(async () => {
  await fake.close();
});

const request: ModelRequest = {
  instructions: 'Be brief.',
  messages: [{ role: 'user', content: 'Hi' }],
  tools: [],
  sessionKey: 'tenant/session-1',
};

describe('azureOpenAIModel', () => {
  it('calls the deployment path with api-version and an api-key header when given a dated version and a key', async () => {
    fake.enqueue({ text: 'Hello from Azure.', usage: { input: 4, output: 3 } });
    const model = azureOpenAIModel({
      endpoint: `${fake.url}/`,
      deployment: 'gpt-4o-mini-prod',
      apiVersion: '2024-10-21',
      apiKey: 'azure-test-key',
      maxRetries: 0,
    });

    const response = await model.generate(request);

    expect(response).toMatchObject({ text: 'Hello from Azure.', model: 'gpt-4o-mini-prod' });
    expect(model).toMatchObject({ provider: 'azure-openai', modelId: 'gpt-4o-mini-prod' });
    const sent = fake.requests[0]!;
    expect(sent.path).toBe('/openai/deployments/gpt-4o-mini-prod/chat/completions');
    expect(sent.query).toEqual({ 'api-version': '2024-10-21' });
    expect(sent.headers['api-key']).toBe('azure-test-key');
    expect(sent.headers.authorization).toBeUndefined();
  });

  it('sends the Entra ID token as a bearer token when given a token provider', async () => {
    fake.enqueue({ text: 'ok' });
    const model = azureOpenAIModel({
      endpoint: fake.url,
      deployment: 'gpt-4o-mini-prod',
      apiVersion: '2024-10-21',
      azureADTokenProvider: async () => 'entra-test-token',
      maxRetries: 0,
    });

    await model.generate(request);

    expect(fake.requests[0]!.headers.authorization).toBe('Bearer entra-test-token');
    expect(fake.requests[0]!.headers['api-key']).toBeUndefined();
  });

  it('calls /openai/responses with the deployment as the model when the api is responses', async () => {
    fake.enqueue({ text: 'ok' });
    const model = azureOpenAIModel({
      endpoint: fake.url,
      deployment: 'gpt-5-prod',
      apiVersion: '2025-04-01-preview',
      apiKey: 'azure-test-key',
      api: 'responses',
      maxRetries: 0,
    });

    await model.generate(request);

    const sent = fake.requests[0]!;
    expect(sent.path).toBe('/openai/responses');
    expect(sent.query).toEqual({ 'api-version': '2025-04-01-preview' });
    expect(sent.body).toMatchObject({ model: 'gpt-5-prod', store: false });
  });

  it('calls the v1 API without api-version when the version is v1', async () => {
    fake.enqueue({ text: 'ok' }, { text: 'ok' });
    const chat = azureOpenAIModel({
      endpoint: fake.url,
      deployment: 'gpt-4o-mini-prod',
      apiVersion: 'v1',
      apiKey: 'azure-test-key',
      maxRetries: 0,
    });
    const responses = azureOpenAIModel({
      endpoint: fake.url,
      deployment: 'gpt-4o-mini-prod',
      apiVersion: 'v1',
      azureADTokenProvider: async () => 'entra-test-token',
      api: 'responses',
      maxRetries: 0,
    });

    await chat.generate(request);
    await responses.generate(request);

    expect(fake.requests.map((sent) => [sent.path, sent.query, sent.headers.authorization])).toEqual([
      ['/openai/v1/chat/completions', {}, 'Bearer azure-test-key'],
      ['/openai/v1/responses', {}, 'Bearer entra-test-token'],
    ]);
    expect(fake.requests[0]!.body).toMatchObject({ model: 'gpt-4o-mini-prod' });
  });

  it('rejects the options when given both a key and a token provider', () => {
    expect(() =>
      azureOpenAIModel({
        endpoint: fake.url,
        deployment: 'd',
        apiVersion: '2024-10-21',
        apiKey: 'k',
        azureADTokenProvider: async () => 't',
      }),
    ).toThrow(/not both/);
  });
});
