import type { TokenCredential } from '@azure/core-auth';
import {
  type Baton,
  createBaton,
  type Logger,
  MemoryStore,
  type Model,
  modelSetting,
  type SessionStore,
} from '@baton/core';
import { createExampleAgent, offlineDemoModel } from '@baton/example-agent';
import type { SlackChannel } from '@baton/slack';
import { slackChannelFromEnvironment } from '@baton/slack';
import { cosmosStoreFromEnvironment } from './cosmos-from-environment.js';
import type { Environment } from './host-settings.js';
import { StorageQueueRunQueue, storageConnectionSetting } from './storage-queue-run-queue.js';

/**
 * Where the entry plugs in what this package does not import itself: a real model provider, another
 * store, a credential. Each factory returns undefined when the environment does not configure it.
 */
export interface AzureAppHooks {
  /** e.g. an OpenAI or Azure OpenAI model from @baton/model-openai. */
  model?: (env: Environment) => Model | undefined;
  /** A store other than the built-in Cosmos DB one. */
  store?: (env: Environment) => SessionStore | undefined;
  /** For identity-based connections: storage (`<setting>__queueServiceUri`) and Cosmos DB (Entra ID). */
  credential?: TokenCredential;
  logger?: Logger;
}

export interface AzureBaton {
  baton: Baton;
  queue: StorageQueueRunQueue;
  /** The app setting the queue triggers' `connection` names. */
  connection: string;
  /** Configured by SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN: the Slack routes and Slack-aware runs. */
  slack: SlackChannel | undefined;
}

/** How long the safety-net run message of an HTTP input stays hidden: the inline run usually ends first. */
const DEFAULT_SAFETY_NET_DELAY_MS = 30_000;

/**
 * The Baton the Azure entry serves: the example agent, its model (from the hook, else the offline
 * demo model, announced), its store (the hook's, else Cosmos DB from app settings, else memory,
 * announced), the run queue from app settings, and the Slack channel when they configure one.
 *
 * @example
 * const { baton, queue, connection } = createAzureBaton(process.env, { model: (env) => undefined });
 */
export function createAzureBaton(env: Environment = process.env, hooks: AzureAppHooks = {}): AzureBaton {
  const queue = StorageQueueRunQueue.fromEnvironment(
    env,
    hooks.credential ? { credential: hooks.credential } : {},
  );
  const model = modelFromEnvironment(env, hooks.model);
  const store = storeFromEnvironment(env, hooks.store, hooks.credential);
  const leaseMs = msSetting(env, 'BATON_LEASE_MS');
  const modelCallMs = msSetting(env, 'BATON_MODEL_CALL_MS');
  const timing = { ...(leaseMs ? { leaseMs } : {}), ...(modelCallMs ? { modelCallMs } : {}) };
  const baton = createBaton({
    store,
    agents: [createExampleAgent(model, { timing })],
    queue,
    safetyNetDelayMs: msSetting(env, 'BATON_SAFETY_NET_DELAY_MS') ?? DEFAULT_SAFETY_NET_DELAY_MS,
    ...(hooks.logger ? { logger: hooks.logger } : {}),
  });
  if (model.provider === 'offline-demo') {
    baton.logger.warn('no model provider configured: serving the offline demo model (a scripted stand-in)');
  }
  if (store instanceof MemoryStore) {
    baton.logger.warn(
      'no store configured: sessions live in this instance memory and are lost on restart or scale-out',
    );
  }
  const slack = slackChannelFromEnvironment(baton, env);
  return { baton, queue, connection: storageConnectionSetting(env), slack };
}

/**
 * The hook's model, else the offline demo model. A provider configured without a hook is an error,
 * never a silent fallback: the demo model must not answer where a real one was asked for.
 */
export function modelFromEnvironment(env: Environment, factory?: AzureAppHooks['model']): Model {
  const model = factory?.(env);
  if (model) return model;
  // The same inference as the local server's (packages/dev model-selection.ts).
  const provider =
    modelSetting(env).provider ??
    (env.AZURE_OPENAI_ENDPOINT
      ? 'azure-openai'
      : env.OPENAI_BASE_URL
        ? 'openai-compatible'
        : env.OPENAI_API_KEY
          ? 'openai'
          : 'offline');
  if (provider !== 'offline') {
    throw new Error(
      `model provider "${provider}" is configured but this app has no model factory for it: pass hooks.model`,
    );
  }
  return offlineDemoModel();
}

/**
 * The hook's store, else Cosmos DB when its settings are present, else memory when BATON_STORE=memory
 * (announced); anything else is an error at start, never a silent fallback to memory.
 */
export function storeFromEnvironment(
  env: Environment,
  factory?: AzureAppHooks['store'],
  credential?: TokenCredential,
): SessionStore {
  const store = factory?.(env) ?? cosmosStoreFromEnvironment(env, credential ? { credential } : {});
  if (store) return store;
  // Memory only when asked for by name: a deployed app that silently lost its sessions on every
  // restart would be worse than one that refuses to start.
  if (env.BATON_STORE !== 'memory') {
    throw new Error(
      `no session store configured${env.BATON_STORE ? ` (BATON_STORE is "${env.BATON_STORE}")` : ''}: set COSMOS_ENDPOINT and COSMOS_KEY (or COSMOS_CONNECTION_STRING), pass hooks.store, or set BATON_STORE=memory for a throwaway demo`,
    );
  }
  return new MemoryStore();
}

function msSetting(env: Environment, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`${name} must be a non-negative integer of milliseconds, got ${JSON.stringify(raw)}`);
  }
  return value;
}
