import { type Model, ValidationError } from '@baton/core';
import type OpenAI from 'openai';
import { lazyClient, readyClient } from './lazy-client.js';
import { modelFromSettings } from './model-from-settings.js';
import { clientTuning, type OpenAIApi, type OpenAICallOptions } from './settings.js';

export interface OpenAIModelOptions extends OpenAICallOptions {
  /** The model name, e.g. 'gpt-5-mini'. */
  model: string;
  /** Default 'responses'. */
  api?: OpenAIApi;
  /** Default: the `OPENAI_API_KEY` environment variable. A function is called before every request. */
  apiKey?: string | (() => Promise<string>);
  /** Default `https://api.openai.com/v1`; for other servers use `openAICompatibleModel`. */
  baseURL?: string;
  organization?: string;
  project?: string;
  /** A ready client (its own retries and timeout apply); the connection options are then ignored. */
  client?: OpenAI;
}

/**
 * A model on OpenAI's API, through the Responses API by default or Chat Completions.
 *
 * @example
 * const model = openAIModel({ model: 'gpt-5-mini', apiKey: process.env.OPENAI_API_KEY });
 */
export function openAIModel(options: OpenAIModelOptions): Model {
  // The SDK would refuse at its first call, where the mistake no longer shows where it was made.
  if (!options.client && options.apiKey === undefined && !process.env.OPENAI_API_KEY) {
    throw new ValidationError('openAIModel needs an apiKey or OPENAI_API_KEY (an OpenAI API key)');
  }
  const client = options.client
    ? readyClient(options.client)
    : lazyClient(
        (sdk) =>
          new sdk.OpenAI({
            apiKey: options.apiKey,
            baseURL: options.baseURL,
            organization: options.organization,
            project: options.project,
            ...clientTuning(options),
          }),
      );
  return modelFromSettings({
    client,
    provider: 'openai',
    model: options.model,
    api: options.api ?? 'responses',
    maxOutputTokens: options.maxOutputTokens,
    temperature: options.temperature,
    maxTokensField: 'max_completion_tokens',
  });
}

export interface OpenAICompatibleModelOptions extends OpenAICallOptions {
  /** e.g. `http://localhost:11434/v1` (Ollama), `http://localhost:8000/v1` (vLLM), `http://localhost:1234/v1` (LM Studio). */
  baseURL: string;
  model: string;
  /** Local servers usually need none. */
  apiKey?: string | (() => Promise<string>);
  /** Default 'chat': most compatible servers implement Chat Completions only. */
  api?: OpenAIApi;
  /** Reported as `Model.provider`; default 'openai-compatible'. */
  provider?: string;
  client?: OpenAI;
}

/**
 * A model on any server that speaks OpenAI's API (Ollama, vLLM, LM Studio, gateways).
 *
 * @example
 * const model = openAICompatibleModel({ baseURL: 'http://localhost:11434/v1', model: 'llama3.2' });
 */
export function openAICompatibleModel(options: OpenAICompatibleModelOptions): Model {
  const client = options.client
    ? readyClient(options.client)
    : lazyClient(
        (sdk) =>
          new sdk.OpenAI({
            // The SDK refuses to start without a key and would otherwise fall back to OPENAI_API_KEY,
            // sending a real OpenAI key to a third-party server.
            apiKey: options.apiKey ?? 'no-key',
            baseURL: options.baseURL,
            ...clientTuning(options),
          }),
      );
  return modelFromSettings({
    client,
    provider: options.provider ?? 'openai-compatible',
    model: options.model,
    api: options.api ?? 'chat',
    maxOutputTokens: options.maxOutputTokens,
    temperature: options.temperature,
    maxTokensField: 'max_tokens',
  });
}
