import { type Environment, environmentModel, type Model } from '@baton/core';
import { modelProviders } from './model-providers.js';

/** The providers this package serves, as `BATON_MODEL_PROVIDER` names them. */
export const BEDROCK_PROVIDERS = ['bedrock', 'bedrock-agent'] as const;

/**
 * The Bedrock model the environment configures, or null when it configures none of this
 * package's providers; the settings are those of `modelProviders` (see the README).
 *
 * @deprecated Hosts resolve models through core's `ModelRegistry` with `modelProviders`; this stays
 * until the last host moves.
 *
 * @example
 * const choice = bedrockModelFromEnvironment(process.env);
 */
export function bedrockModelFromEnvironment(env: Environment): { model: Model; description: string } | null {
  const { provider, modelId } = environmentModel(env);
  const chosen = modelProviders.find((candidate) => candidate.id === provider);
  if (!chosen) return null;
  return { model: chosen.create(modelId, env), description: chosen.description(modelId, env) };
}
