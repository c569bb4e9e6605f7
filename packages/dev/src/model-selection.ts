import type { Model } from '@baton/core';
import { offlineDemoModel } from '@baton/example-agent';
import { azureOpenAIModel, openAICompatibleModel, openAIModel } from '@baton/model-openai';

export interface SelectedModel {
  model: Model;
  /** One line for the start banner: which provider, and why. */
  description: string;
  offline: boolean;
}

const OFFLINE =
  'offline demo model (no model provider configured): it understands "note ...", "notes", "email <to> <subject>" and "ticket ..."; it is not an LLM';

/**
 * Picks the model from the environment. With no provider configured the offline demo model is used
 * and announced as such; it is never chosen when a real provider is configured.
 *
 *   BATON_MODEL_PROVIDER  openai | azure-openai | openai-compatible | offline (default: inferred)
 *   BATON_MODEL           model or deployment name
 *   OPENAI_API_KEY, OPENAI_BASE_URL                      OpenAI or a compatible server
 *   AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY, OPENAI_API_VERSION   Azure OpenAI
 */
export async function selectModel(env: NodeJS.ProcessEnv = process.env): Promise<SelectedModel> {
  const provider = env.BATON_MODEL_PROVIDER ?? inferProvider(env);
  const name = env.BATON_MODEL;
  switch (provider) {
    case 'offline':
      return { model: offlineDemoModel(), description: OFFLINE, offline: true };
    case 'openai': {
      const model = name ?? 'gpt-5-mini';
      return {
        model: openAIModel({ model, apiKey: required(env, 'OPENAI_API_KEY') }),
        description: `OpenAI ${model} (Responses API)`,
        offline: false,
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
        offline: false,
      };
    }
    case 'azure-openai': {
      const endpoint = required(env, 'AZURE_OPENAI_ENDPOINT');
      const deployment = required(env, 'BATON_MODEL');
      return {
        model: azureOpenAIModel({
          endpoint,
          deployment,
          apiVersion: env.OPENAI_API_VERSION ?? '2025-04-01-preview',
          apiKey: required(env, 'AZURE_OPENAI_API_KEY'),
        }),
        description: `Azure OpenAI deployment ${deployment} at ${endpoint}`,
        offline: false,
      };
    }
    default:
      throw new Error(
        `BATON_MODEL_PROVIDER must be openai, azure-openai, openai-compatible or offline, not ${provider}`,
      );
  }
}

function inferProvider(env: NodeJS.ProcessEnv): string {
  if (env.AZURE_OPENAI_ENDPOINT) return 'azure-openai';
  if (env.OPENAI_BASE_URL) return 'openai-compatible';
  if (env.OPENAI_API_KEY) return 'openai';
  return 'offline';
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} must be set for this model provider`);
  return value;
}
