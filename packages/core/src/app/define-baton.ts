import type { Agent } from '../agent.js';
import type { AuthConfig } from '../auth/identity.js';
import { ConfigurationError, type Environment, type ModelProvider } from '../models/model-provider.js';
import { providerIds } from '../models/model-registry.js';
import { isUnresolvedModel } from '../models/unresolved-model.js';
import type { ChannelFactory } from './channel.js';

/** What a user writes in `baton.config.ts`: everything about their app that is not the host's. */
export interface BatonConfig {
  /** The agents this app serves; sessions name one, or get the first (or `defaultAgent`). */
  agents: readonly Agent[];
  defaultAgent?: string;
  /** Model providers besides the built-in ones (the offline demo model, `@baton/model-openai`, `@baton/model-bedrock`). */
  models?: readonly ModelProvider[];
  /** Channels besides the HTTP API, e.g. `slack()` from `@baton/slack`. */
  channels?: readonly ChannelFactory[];
  /**
   * How callers are authenticated: `apiKeys()`, `jwt({...})`, `customAuth(fn)`, several in order, or
   * 'none' said out loud. Deployed hosts refuse to start without it; `baton serve` without it
   * accepts only local requests (127.0.0.1, local Host and Origin).
   */
  auth?: AuthConfig;
}

/** A validated app definition: the default export of `baton.config.ts`, taken by every host. */
export interface BatonDefinition {
  readonly kind: 'baton-app';
  readonly config: BatonConfig;
}

/**
 * Defines the app every host serves: `npx baton serve` locally, and the bundles `npx baton build aws`
 * and `npx baton build azure` make for Lambda and Azure Functions. Store, queue and credentials are
 * the host's; agents, models and channels are the app's.
 *
 * @example
 * // baton.config.ts
 * export default defineBaton({
 *   agents: [defineAgent({ name: 'helper', instructions: 'Be brief.', model: 'openai:gpt-5-mini', tools: [addNote] })],
 * });
 */
export function defineBaton(config: BatonConfig): BatonDefinition {
  if (!Array.isArray(config?.agents) || config.agents.length === 0) {
    throw new ConfigurationError('defineBaton needs at least one agent in agents');
  }
  const names = new Set<string>();
  for (const agent of config.agents) {
    if (names.has(agent.name)) throw new ConfigurationError(`two agents are named ${agent.name}`);
    names.add(agent.name);
  }
  for (const agent of config.agents) {
    for (const tool of agent.tools) {
      // A cycle (a → b → a) is allowed: MAX_DELEGATION_DEPTH bounds it at run time.
      if (tool.delegate && !names.has(tool.delegate.agent)) {
        throw new ConfigurationError(
          `agent ${agent.name}'s tool ${tool.name} calls agent ${tool.delegate.agent}, which is not one of the agents (${[...names].join(', ')}): add it to defineBaton({ agents })`,
        );
      }
    }
  }
  if (config.defaultAgent !== undefined && !names.has(config.defaultAgent)) {
    throw new ConfigurationError(
      `defaultAgent ${config.defaultAgent} is not one of the agents (${[...names].join(', ')})`,
    );
  }
  return Object.freeze({ kind: 'baton-app', config });
}

export function isBatonDefinition(value: unknown): value is BatonDefinition {
  return (value as BatonDefinition | null)?.kind === 'baton-app' && typeof value === 'object';
}

/**
 * The provider ids an app needs in an environment (its agents' model names, and the environment's
 * model for agents that name none), minus the ones the app brings itself. Hosts load these
 * packages; the bundler includes only these.
 *
 * @example
 * neededProviders(definition, process.env); // ['openai']
 */
export function neededProviders(definition: BatonDefinition, env: Environment): string[] {
  const own = new Set((definition.config.models ?? []).map((provider) => provider.id));
  const names = definition.config.agents
    .map((agent) => agent.model)
    .filter(isUnresolvedModel)
    .map((model) => model.name);
  return providerIds(names, env).filter((id) => id !== 'offline' && !own.has(id));
}
