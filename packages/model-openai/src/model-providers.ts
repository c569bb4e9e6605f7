import {
  ConfigurationError,
  defineModelProvider,
  type Environment,
  type ModelProvider,
  ValidationError,
} from '@baton/core';
import { azureOpenAIModel } from './azure-openai-model.js';
import { bedrockOpenAIBaseURL, bedrockOpenAIModel } from './bedrock-openai-model.js';
import {
  API_NAMES,
  openAIApi,
  requiredModel,
  requiredSetting,
  requiredUrlSetting,
  setting,
  urlSetting,
} from './environment-settings.js';
import { openAICompatibleModel, openAIModel } from './openai-model.js';
import type { OpenAIApi } from './settings.js';

/** The model `openai` serves when neither the agent nor BATON_MODEL names one. */
export const DEFAULT_OPENAI_MODEL = 'gpt-5-mini';

const OPENAI_URL = 'https://api.openai.com/v1';

/**
 * `openai`: OpenAI's API, through the Responses API unless BATON_OPENAI_API=chat. OPENAI_BASE_URL,
 * when set, is a gateway or proxy in front of it (the SDK's own convention).
 */
export const openAIProvider = defineModelProvider('openai', {
  settings: (modelId, env) => ({
    model: modelId ?? DEFAULT_OPENAI_MODEL,
    apiKey: requiredSetting(env, 'OPENAI_API_KEY', 'openai', 'an OpenAI API key'),
    baseURL: urlSetting(env, 'OPENAI_BASE_URL', 'openai') ?? OPENAI_URL,
    api: openAIApi('responses', env),
  }),
  build: (settings) => openAIModel(settings),
  describe: ({ model, baseURL, api }) => `OpenAI ${model} at ${baseURL} (${API_NAMES[api]})`,
});

/**
 * `openai-compatible`: any server speaking OpenAI's API (Ollama, vLLM, LM Studio, gateways), through
 * Chat Completions, which they all serve, unless BATON_OPENAI_API=responses.
 */
export const openAICompatibleProvider = defineModelProvider('openai-compatible', {
  settings: (modelId, env) => ({
    baseURL: requiredUrlSetting(
      env,
      'OPENAI_BASE_URL',
      'openai-compatible',
      "your server's OpenAI API address, e.g. http://127.0.0.1:11434/v1",
    ),
    model: requiredModel(modelId, 'openai-compatible', 'model', 'the model your server serves'),
    apiKey: setting(env, 'OPENAI_API_KEY'),
    api: openAIApi('chat', env),
  }),
  build: (settings) => openAICompatibleModel(settings),
  describe: ({ model, baseURL, api }) => `${model} at ${baseURL} (OpenAI-compatible, ${API_NAMES[api]})`,
});

/**
 * `azure-openai`: a deployment of an Azure OpenAI resource with a key, through Chat Completions,
 * which every deployment and API version serves, unless BATON_OPENAI_API=responses.
 */
export const azureOpenAIProvider = defineModelProvider('azure-openai', {
  settings: (modelId, env) => ({
    endpoint: requiredUrlSetting(
      env,
      'AZURE_OPENAI_ENDPOINT',
      'azure-openai',
      'your resource, e.g. https://my-resource.openai.azure.com',
    ),
    deployment: requiredModel(modelId, 'azure-openai', 'deployment', 'the name of your model deployment'),
    apiKey: requiredSetting(
      env,
      'AZURE_OPENAI_API_KEY',
      'azure-openai',
      "a key of the resource (for Entra ID, register azureOpenAIModel's token provider in code)",
    ),
    apiVersion: setting(env, 'OPENAI_API_VERSION') ?? 'v1',
    api: openAIApi('chat', env),
  }),
  build: (settings) => azureOpenAIModel(settings),
  describe: ({ deployment, endpoint, apiVersion, api }) =>
    `Azure OpenAI deployment ${deployment} at ${endpoint} (api-version ${apiVersion}, ${API_NAMES[api]})`,
});

/**
 * `bedrock-openai`: OpenAI models on Amazon Bedrock (gpt-oss) through bedrock-runtime's
 * OpenAI-compatible endpoint, which serves Chat Completions only, with a Bedrock API key.
 */
export const bedrockOpenAIProvider = defineModelProvider('bedrock-openai', {
  settings: (modelId, env) => ({
    model: requiredModel(
      modelId,
      'bedrock-openai',
      'model id',
      'a Bedrock model id, e.g. openai.gpt-oss-120b-1:0',
    ),
    apiKey: requiredSetting(env, 'AWS_BEARER_TOKEN_BEDROCK', 'bedrock-openai', 'a Bedrock API key'),
    baseURL: bedrockBaseURL(env),
    api: 'chat' as OpenAIApi,
  }),
  build: (settings) => bedrockOpenAIModel(settings),
  describe: ({ model, baseURL, api }) =>
    `${model} on Amazon Bedrock at ${baseURL} (OpenAI-compatible ${API_NAMES[api]})`,
});

/** `AWS_ENDPOINT_URL_BEDROCK_RUNTIME` (a VPC endpoint, a test server) or the region's own endpoint. */
function bedrockBaseURL(env: Environment): string {
  const endpoint = urlSetting(env, 'AWS_ENDPOINT_URL_BEDROCK_RUNTIME', 'bedrock-openai');
  if (endpoint) return `${endpoint.replace(/\/+$/, '')}/openai/v1`;
  const region =
    setting(env, 'AWS_REGION') ??
    setting(env, 'AWS_DEFAULT_REGION') ??
    requiredSetting(env, 'AWS_REGION', 'bedrock-openai', 'the region serving the model, e.g. us-west-2');
  try {
    return bedrockOpenAIBaseURL(region);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new ConfigurationError(
      `bedrock-openai needs AWS_REGION to be a region name such as us-west-2, not ${JSON.stringify(region)}`,
      { provider: 'bedrock-openai', setting: 'AWS_REGION' },
    );
  }
}

/**
 * The providers of this package, for `createBatonApp(definition, { providers })`; hosts find them
 * under this name through core's PROVIDER_PACKAGES.
 *
 * @example
 * const registry = new ModelRegistry(modelProviders, process.env);
 * const { model } = registry.resolve('openai:gpt-5-mini');
 */
export const modelProviders: ModelProvider[] = [
  openAIProvider,
  azureOpenAIProvider,
  openAICompatibleProvider,
  bedrockOpenAIProvider,
];
