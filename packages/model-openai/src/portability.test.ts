import type { Model } from '@baton/core';
import { type OpenAIFake, portableRequest, startOpenAIFake } from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { azureOpenAIModel } from './azure-openai-model.js';
import { bedrockOpenAIModel } from './bedrock-openai-model.js';
import { openAICompatibleModel, openAIModel } from './openai-model.js';

let fake: OpenAIFake;
beforeAll(async () => {
  fake = await startOpenAIFake();
});
afterAll(async () => {
  await fake.close();
});

const adapters: Array<[string, () => Model]> = [
  ['OpenAI Responses', () => openAIModel({ model: 'gpt-test', apiKey: 'test-key', baseURL: fake.baseURL })],
  [
    'OpenAI Chat Completions',
    () => openAIModel({ model: 'gpt-test', api: 'chat', apiKey: 'test-key', baseURL: fake.baseURL }),
  ],
  [
    'Azure OpenAI (dated version)',
    () =>
      azureOpenAIModel({
        endpoint: fake.url,
        deployment: 'prod',
        apiVersion: '2024-10-21',
        apiKey: 'azure-key',
      }),
  ],
  [
    'Azure OpenAI v1 Responses',
    () =>
      azureOpenAIModel({
        endpoint: fake.url,
        deployment: 'prod',
        apiVersion: 'v1',
        apiKey: 'azure-key',
        api: 'responses',
      }),
  ],
  ['OpenAI-compatible server', () => openAICompatibleModel({ baseURL: fake.baseURL, model: 'llama3.2' })],
  [
    'OpenAI on Bedrock',
    () =>
      bedrockOpenAIModel({
        model: 'openai.gpt-oss-20b-1:0',
        apiKey: 'bedrock-key',
        baseURL: `${fake.url}/openai/v1`,
      }),
  ],
];

/** The call ids the request declares and the call ids its tool results answer, from the wire body. */
function pairing(body: Record<string, unknown>): { calls: string[]; results: string[] } {
  if (Array.isArray(body.messages)) {
    const messages = body.messages as Array<{
      role: string;
      tool_call_id?: string;
      tool_calls?: Array<{ id: string }>;
    }>;
    return {
      calls: messages.flatMap((message) => message.tool_calls?.map((call) => call.id) ?? []),
      results: messages.flatMap((message) => (message.role === 'tool' ? [message.tool_call_id!] : [])),
    };
  }
  const input = body.input as Array<{ type: string; call_id?: string }>;
  return {
    calls: input.flatMap((item) => (item.type === 'function_call' ? [item.call_id!] : [])),
    results: input.flatMap((item) => (item.type === 'function_call_output' ? [item.call_id!] : [])),
  };
}

describe('OpenAI-family adapters with a provider-neutral history', () => {
  it.each(adapters)(
    '%s accepts the history and sends every tool result with its call',
    async (_name, create) => {
      fake.enqueue({ text: 'Oslo is warmer today.', usage: { input: 50, output: 6 } });
      const before = fake.requests.length;

      const response = await create().generate(portableRequest());

      expect(response.text).toBe('Oslo is warmer today.');
      const sent = fake.requests[before]!.body as Record<string, unknown>;
      expect(pairing(sent)).toEqual({
        calls: ['call_oslo', 'call_bergen'],
        results: ['call_oslo', 'call_bergen'],
      });
    },
  );
});
