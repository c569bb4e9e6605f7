import { type Model, modelSetting } from '@baton/core';
import { azureOpenAIModel } from './azure-openai-model.js';
import { bedrockOpenAIModel } from './bedrock-openai-model.js';
import { openAICompatibleModel, openAIModel } from './openai-model.js';

export interface ModelChoice {
  model: Model;
  /** One line for logs and start banners: which provider and model. */
  description: string;
}

/** The providers this package serves, as `BATON_MODEL_PROVIDER` names them. */
export const OPENAI_PROVIDERS = ['openai', 'azure-openai', 'openai-compatible', 'bedrock-openai'] as const;

/**
 * The OpenAI-family model the environment configures, or null when it configures none of them.
 * Hosts combine this with other packages' pickers so each bundle carries only the SDKs it needs.
 *
 *   BATON_MODEL_PROVIDER   one of OPENAI_PROVIDERS (otherwise inferred from the variables below)
 *   BATON_MODEL            model, Azure deployment or Bedrock model id
 *   OPENAI_API_KEY, OPENAI_BASE_URL                                  OpenAI or a compatible server
 *   AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY, OPENAI_API_VERSION  Azure OpenAI
 *   AWS_REGION, AWS_BEARER_TOKEN_BEDROCK                             OpenAI models on Bedrock
 *
 * @example
 * const choice = openAIModelFromEnvironment(process.env) ?? fallback;
 */
export function openAIModelFromEnvironment(env: NodeJS.ProcessEnv): ModelChoice | null {
  const setting = modelSetting(env);
  const provider = setting.provider ?? inferProvider(env);
  env = { ...env, ...(setting.model ? { BATON_MODEL: setting.model } : {}) };
  switch (provider) {
    case 'openai': {
      const model = env.BATON_MODEL ?? 'gpt-5-mini';
      return {
        model: openAIModel({ model, apiKey: required(env, 'OPENAI_API_KEY') }),
        description: `OpenAI ${model} (Responses API)`,
      };
    }
    case 'openai-compatible': {
      const baseURL = required(env, 'OPENAI_BASE_URL');
      const model = required(env, 'BATON_MODEL');
      return {
        model: openAICompatibleModel({
          baseURL,
          model,
          ...(env.OPENAI_API_KEY ? { apiKey: env.OPENAI_API_KEY } : {}),
        }),
        description: `${model} at ${baseURL} (Chat Completions)`,
      };
    }
    case 'azure-openai': {
      const endpoint = required(env, 'AZURE_OPENAI_ENDPOINT');
      const deployment = required(env, 'BATON_MODEL');
      return {
        model: azureOpenAIModel({
          endpoint,
          deployment,
          apiVersion: env.OPENAI_API_VERSION ?? 'v1',
          apiKey: required(env, 'AZURE_OPENAI_API_KEY'),
        }),
        description: `Azure OpenAI deployment ${deployment} at ${endpoint}`,
      };
    }
    case 'bedrock-openai': {
      const model = required(env, 'BATON_MODEL');
      return {
        model: bedrockOpenAIModel({
          model,
          apiKey: required(env, 'AWS_BEARER_TOKEN_BEDROCK'),
          ...(env.AWS_REGION ? { region: env.AWS_REGION } : {}),
        }),
        description: `${model} on Amazon Bedrock (OpenAI-compatible Chat Completions)`,
      };
    }
    default:
      return null;
  }
}

function inferProvider(env: NodeJS.ProcessEnv): string | undefined {
  if (env.AZURE_OPENAI_ENDPOINT) return 'azure-openai';
  if (env.OPENAI_BASE_URL) return 'openai-compatible';
  if (env.OPENAI_API_KEY) return 'openai';
  return undefined;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value)
    throw new Error(
      `${name} must be set for BATON_MODEL_PROVIDER=${env.BATON_MODEL_PROVIDER ?? '(inferred)'}`,
    );
  return value;
}
