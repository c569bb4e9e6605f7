import { BatonError } from '../errors.js';
import type { Model } from '../model.js';

/** Where settings are read from: `process.env` on every host, a plain object in tests. */
export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Turns a model name into a model: the contract every model package implements once per provider
 * id (`openai`, `bedrock`, ...). Modelled on the OpenAI Agents SDK's `ModelProvider.getModel` and the
 * AI SDK's provider registry; `specificationVersion` lets the contract change without silently
 * breaking a provider written against an older one.
 *
 * @example
 * const echo: ModelProvider = {
 *   specificationVersion: 'v1',
 *   id: 'echo',
 *   description: (modelId) => `echo ${modelId ?? 'default'}`,
 *   create: (modelId) => myEchoModel(modelId),
 * };
 */
export interface ModelProvider {
  readonly specificationVersion: 'v1';
  /** The prefix of a model name before the first ':' (`openai` in `openai:gpt-5-mini`). */
  readonly id: string;
  /**
   * Builds the model, reading credentials and endpoints from `env`. A missing or malformed setting
   * throws a ConfigurationError whose message is one line naming the setting.
   */
  create(modelId: string | undefined, env: Environment): Model;
  /** One line for logs and the start banner: provider, model, endpoint and API in use. */
  description(modelId: string | undefined, env: Environment): string;
}

/**
 * A setting is missing or wrong. Its message is one line that names the setting and how to fix it;
 * hosts print it as it is (never a stack trace) and refuse to start.
 */
export class ConfigurationError extends BatonError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('configuration', message, { status: 500, ...(details ? { details } : {}) });
  }
}

/** A model name split into its provider id and the provider's own model id (which may contain ':'). */
export interface ModelName {
  provider: string;
  modelId: string | undefined;
}

/**
 * Splits `provider:model` at the first ':'. A name without a provider prefix is refused: model ids
 * are ambiguous across providers (`gpt-5-mini` is served by OpenAI, Azure and compatible servers).
 *
 * @example
 * parseModelName('bedrock:us.amazon.nova-pro-v1:0'); // { provider: 'bedrock', modelId: 'us.amazon.nova-pro-v1:0' }
 */
export function parseModelName(name: string): ModelName {
  const colon = name.indexOf(':');
  const provider = colon === -1 ? name : name.slice(0, colon);
  const modelId = colon === -1 ? '' : name.slice(colon + 1);
  if (!/^[a-z][a-z0-9-]*$/.test(provider)) {
    throw new ConfigurationError(
      `model ${JSON.stringify(name)} must be written "<provider>:<model>", e.g. "openai:gpt-5-mini"`,
    );
  }
  return { provider, modelId: modelId === '' ? undefined : modelId };
}

/**
 * A provider in three steps: read and check the settings (every gap a one-line ConfigurationError),
 * build the model, describe it. `description` never throws: a misconfigured provider says so.
 *
 * @example
 * export const echoProvider = defineModelProvider('echo', {
 *   settings: (modelId) => ({ modelId: modelId ?? 'echo-1' }),
 *   build: ({ modelId }) => echoModel(modelId),
 *   describe: ({ modelId }) => `echo ${modelId}`,
 * });
 */
export function defineModelProvider<Settings>(
  id: string,
  steps: {
    settings(modelId: string | undefined, env: Environment): Settings;
    build(settings: Settings): Model;
    describe(settings: Settings): string;
  },
): ModelProvider {
  return {
    specificationVersion: 'v1',
    id,
    create: (modelId, env) => steps.build(steps.settings(modelId, env)),
    description(modelId, env) {
      try {
        return steps.describe(steps.settings(modelId, env));
      } catch (error) {
        if (error instanceof ConfigurationError) return `not configured: ${error.message}`;
        throw error;
      }
    },
  };
}
