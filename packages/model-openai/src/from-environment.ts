import { type Environment, environmentModel, type Model } from '@baton/core';
import { modelProviders } from './model-providers.js';

export interface ModelChoice {
  model: Model;
  /** One line for logs and start banners: which provider and model. */
  description: string;
}

/** The providers this package serves, as `BATON_MODEL_PROVIDER` names them. */
export const OPENAI_PROVIDERS = ['openai', 'azure-openai', 'openai-compatible', 'bedrock-openai'] as const;

/**
 * The OpenAI-family model the environment configures, or null when it configures none of this
 * package's providers; the settings are those of `modelProviders` (see the README).
 *
 * @deprecated Hosts resolve models through core's `ModelRegistry` with `modelProviders`; this stays
 * until the last host moves.
 *
 * @example
 * const choice = openAIModelFromEnvironment(process.env) ?? fallback;
 */
export function openAIModelFromEnvironment(env: Environment): ModelChoice | null {
  const { provider, modelId } = environmentModel(env);
  const chosen = modelProviders.find((candidate) => candidate.id === provider);
  if (!chosen) return null;
  return { model: chosen.create(modelId, env), description: chosen.description(modelId, env) };
}
