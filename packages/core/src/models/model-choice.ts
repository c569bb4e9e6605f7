import type { Environment, ModelName } from './model-provider.js';
import { modelSetting } from './model-setting.js';

/**
 * The model an environment asks for, in one place for every host and for the infra: an explicit
 * `BATON_MODEL_PROVIDER` (+ `BATON_MODEL`), the short form `BATON_MODEL=<provider>:<model>`, or, when
 * neither names a provider, the provider its credentials imply. With nothing configured it is the
 * offline demo model.
 *
 *   AZURE_OPENAI_ENDPOINT -> azure-openai,  OPENAI_BASE_URL -> openai-compatible,
 *   OPENAI_API_KEY -> openai,  nothing -> offline
 *
 * A bare `BATON_MODEL` (no provider prefix) is the model id for the inferred provider.
 *
 * @example
 * environmentModel({ OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1', BATON_MODEL: 'llama3.2' });
 * // { provider: 'openai-compatible', modelId: 'llama3.2' }
 */
export function environmentModel(env: Environment): ModelName {
  const { provider, model } = modelSetting(env);
  return { provider: provider ?? inferredProvider(env), modelId: model };
}

function inferredProvider(env: Environment): string {
  if (env.AZURE_OPENAI_ENDPOINT) return 'azure-openai';
  if (env.OPENAI_BASE_URL) return 'openai-compatible';
  if (env.OPENAI_API_KEY) return 'openai';
  return 'offline';
}
