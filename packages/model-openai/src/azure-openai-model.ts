import { type Model, ValidationError } from '@baton/core';
import type OpenAI from 'openai';
import { type ClientSource, lazyClient, readyClient } from './lazy-client.js';
import { modelFromSettings } from './model-from-settings.js';
import { clientTuning, type OpenAIApi, type OpenAICallOptions } from './settings.js';

export interface AzureOpenAIModelOptions extends OpenAICallOptions {
  /** The resource endpoint, e.g. `https://my-resource.openai.azure.com`. */
  endpoint: string;
  /** The deployment name; it is also the `model` Azure expects. */
  deployment: string;
  /**
   * A dated version (e.g. '2024-10-21', '2025-04-01-preview') calls the classic surface through the
   * SDK's `AzureOpenAI`: `/openai/deployments/{deployment}/chat/completions?api-version=...` and
   * `/openai/responses?api-version=...`. 'v1' calls Azure's v1 API at `/openai/v1/...`, which takes
   * no api-version.
   */
  apiVersion: string;
  /** Default: the `AZURE_OPENAI_API_KEY` environment variable, unless a token provider is given. */
  apiKey?: string;
  /**
   * Microsoft Entra ID instead of a key, called before every request, e.g.
   * `getBearerTokenProvider(new DefaultAzureCredential(), 'https://cognitiveservices.azure.com/.default')`.
   */
  azureADTokenProvider?: () => Promise<string>;
  /** Default 'chat', which every API version serves; Responses needs 2025-03-01-preview or later, or v1. */
  api?: OpenAIApi;
  client?: OpenAI;
}

/**
 * A model on an Azure OpenAI deployment, with a key or an Entra ID token provider.
 *
 * @example
 * const model = azureOpenAIModel({
 *   endpoint: 'https://my-resource.openai.azure.com',
 *   deployment: 'gpt-4.1-mini',
 *   apiVersion: '2024-10-21',
 *   apiKey: process.env.AZURE_OPENAI_API_KEY,
 * });
 */
export function azureOpenAIModel(options: AzureOpenAIModelOptions): Model {
  return modelFromSettings({
    client: options.client ? readyClient(options.client) : azureClient(options),
    provider: 'azure-openai',
    model: options.deployment,
    api: options.api ?? 'chat',
    maxOutputTokens: options.maxOutputTokens,
    temperature: options.temperature,
    maxTokensField: 'max_completion_tokens',
  });
}

/** Checks the options now; the SDK loads, and the client is made, on the first call. */
function azureClient(options: AzureOpenAIModelOptions): ClientSource {
  if (options.apiKey && options.azureADTokenProvider) {
    throw new ValidationError('azureOpenAIModel takes an apiKey or an azureADTokenProvider, not both');
  }
  const endpoint = options.endpoint.replace(/\/+$/, '');
  if (options.apiVersion === 'v1') {
    // The v1 API is OpenAI's own surface under /openai/v1: the plain client, a bearer key or token.
    const apiKey = options.azureADTokenProvider ?? options.apiKey ?? process.env.AZURE_OPENAI_API_KEY;
    if (!apiKey) {
      throw new ValidationError(
        'azureOpenAIModel needs an apiKey, an azureADTokenProvider or AZURE_OPENAI_API_KEY',
      );
    }
    return lazyClient(
      (sdk) => new sdk.OpenAI({ apiKey, baseURL: `${endpoint}/openai/v1`, ...clientTuning(options) }),
    );
  }
  if (!options.azureADTokenProvider && !options.apiKey && !process.env.AZURE_OPENAI_API_KEY) {
    throw new ValidationError(
      'azureOpenAIModel needs an apiKey, an azureADTokenProvider or AZURE_OPENAI_API_KEY',
    );
  }
  return lazyClient(
    (sdk) =>
      new sdk.AzureOpenAI({
        endpoint,
        deployment: options.deployment,
        apiVersion: options.apiVersion,
        ...(options.azureADTokenProvider
          ? { azureADTokenProvider: options.azureADTokenProvider }
          : { apiKey: options.apiKey }),
        ...clientTuning(options),
      }),
  );
}
