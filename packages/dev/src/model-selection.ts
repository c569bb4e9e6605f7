import { type Model, modelSetting } from '@baton/core';
import { offlineDemoModel } from '@baton/example-agent';
import { bedrockModelFromEnvironment } from '@baton/model-bedrock';
import { openAIModelFromEnvironment } from '@baton/model-openai';

export interface SelectedModel {
  model: Model;
  /** One line for the start banner: which provider, and why. */
  description: string;
  offline: boolean;
}

const OFFLINE =
  'offline demo model (no model provider configured): it understands "note ...", "notes", "email <to> <subject>" and "ticket ..."; it is not an LLM';

/**
 * Picks the model from the environment (see the README's configuration table). With no provider
 * configured the offline demo model is used and announced as such; it is never chosen when a real
 * provider is configured, and an unknown provider name is an error, not a silent fallback.
 */
export async function selectModel(env: NodeJS.ProcessEnv = process.env): Promise<SelectedModel> {
  const { provider } = modelSetting(env);
  if (provider === 'offline') return { model: offlineDemoModel(), description: OFFLINE, offline: true };
  const choice = openAIModelFromEnvironment(env) ?? bedrockModelFromEnvironment(env);
  if (choice) return { ...choice, offline: false };
  if (provider) {
    throw new Error(
      `BATON_MODEL_PROVIDER must be openai, azure-openai, openai-compatible, bedrock-openai, bedrock, bedrock-agent or offline, not ${provider}`,
    );
  }
  return { model: offlineDemoModel(), description: OFFLINE, offline: true };
}
