import type { Model } from '../model.js';
import { environmentModel } from './model-choice.js';
import {
  ConfigurationError,
  type Environment,
  type ModelName,
  type ModelProvider,
  parseModelName,
} from './model-provider.js';
import { offlineModelProvider } from './offline-model.js';

/**
 * The package that serves each built-in provider id. Hosts load only the packages the configured
 * models need (`npx baton serve` imports them on demand; `npx baton build` bundles just those).
 */
export const PROVIDER_PACKAGES: Readonly<Record<string, string>> = {
  openai: '@baton/model-openai',
  'azure-openai': '@baton/model-openai',
  'openai-compatible': '@baton/model-openai',
  'bedrock-openai': '@baton/model-openai',
  bedrock: '@baton/model-bedrock',
  'bedrock-agent': '@baton/model-bedrock',
};

export interface ResolvedModel {
  model: Model;
  /** One line for logs and the start banner. */
  description: string;
  /** Whether this is the offline demo model (announced as such by every host). */
  offline: boolean;
}

/**
 * Model names to models: `resolve('openai:gpt-5-mini')`, or `resolve(undefined)` for the model the
 * environment configures. The offline demo provider is always registered; others come from the app
 * definition's `models` and from the host, which loads the packages in PROVIDER_PACKAGES.
 *
 * @example
 * const registry = new ModelRegistry([...openAIProviders], process.env);
 * const { model } = registry.resolve('openai:gpt-5-mini');
 */
export class ModelRegistry {
  private readonly providers = new Map<string, ModelProvider>();

  constructor(
    providers: readonly ModelProvider[],
    private readonly env: Environment,
  ) {
    for (const provider of [offlineModelProvider, ...providers]) {
      if (provider.specificationVersion !== 'v1') {
        throw new ConfigurationError(
          `model provider ${provider.id} implements specification ${String(provider.specificationVersion)}; this Baton understands v1`,
        );
      }
      this.providers.set(provider.id, provider);
    }
  }

  /** The model a name (or, for undefined, the environment) asks for. */
  resolve(name: string | undefined): ResolvedModel {
    const wanted: ModelName = name === undefined ? environmentModel(this.env) : parseModelName(name);
    const provider = this.providers.get(wanted.provider);
    if (!provider) {
      const pkg = PROVIDER_PACKAGES[wanted.provider];
      throw new ConfigurationError(
        pkg
          ? `model provider "${wanted.provider}" needs the package ${pkg}: npm install ${pkg}`
          : `no model provider "${wanted.provider}": use one of ${[...new Set([...this.providers.keys(), ...Object.keys(PROVIDER_PACKAGES)])].join(', ')}, or add yours to defineBaton({ models })`,
        { provider: wanted.provider },
      );
    }
    return {
      model: provider.create(wanted.modelId, this.env),
      description: provider.description(wanted.modelId, this.env),
      offline: provider.id === offlineModelProvider.id,
    };
  }
}

/**
 * The provider ids a set of model names needs (undefined: the environment's model), for hosts that
 * load provider packages on demand and for the bundler that includes only those.
 *
 * @example
 * providerIds(['openai:gpt-5-mini', undefined], { BATON_MODEL: 'bedrock:amazon.nova-lite-v1:0' }); // ['openai', 'bedrock']
 */
export function providerIds(names: readonly (string | undefined)[], env: Environment): string[] {
  const ids = names.map((name) =>
    name === undefined ? environmentModel(env).provider : parseModelName(name).provider,
  );
  return [...new Set(ids)];
}
