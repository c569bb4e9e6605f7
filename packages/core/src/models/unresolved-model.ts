import type { Model, ModelRequest, ModelResponse } from '../model.js';
import { ConfigurationError, parseModelName } from './model-provider.js';

/**
 * What `defineAgent` holds until an app resolves the agent's model: the name the agent asked for
 * (`'openai:gpt-5-mini'`), or none when the environment decides (`BATON_MODEL`). Calling it is a
 * configuration error: agents are served through `defineBaton`, which resolves every model once.
 */
const BRAND = Symbol.for('baton.unresolved-model');

export class UnresolvedModel implements Model {
  readonly [BRAND] = true;
  readonly provider: string;
  readonly modelId: string;

  constructor(readonly name: string | undefined) {
    const parsed = name === undefined ? undefined : parseModelName(name);
    this.provider = parsed?.provider ?? 'environment';
    this.modelId = parsed?.modelId ?? '';
  }

  generate(_request: ModelRequest): Promise<ModelResponse> {
    return Promise.reject(
      new ConfigurationError(
        `the model ${this.name ?? '(from the environment)'} was never resolved: serve the agent through defineBaton`,
      ),
    );
  }
}

/** By brand, not instanceof: a config bundled or installed apart from the host may carry its own copy of core. */
export function isUnresolvedModel(model: Model): model is UnresolvedModel {
  return (model as Partial<Record<typeof BRAND, boolean>>)[BRAND] === true;
}
