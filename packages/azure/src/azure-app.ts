import type { TokenCredential } from '@azure/core-auth';
// Types only: the console's code loads with import(), and only when BATON_CONSOLE is set.
import type { HostedConsole } from '@baton/console/hosted';
import {
  type AppHost,
  type BatonApp,
  type BatonDefinition,
  type Clock,
  ConfigurationError,
  createBatonApp,
  isBatonDefinition,
  type Logger,
  MemoryStore,
  type ModelProvider,
  type SessionStore,
} from '@baton/core';
import hostJson from '../host.json' with { type: 'json' };
import { cosmosStoreFromEnvironment } from './cosmos-from-environment.js';
import { type Environment, type HostSettings, hostSettings } from './host-settings.js';
import type { AuthLevel } from './http-routes.js';
import { lazyCredential, usesManagedIdentity } from './managed-identity.js';
import { StorageQueueRunQueue, storageConnectionSetting } from './storage-queue-run-queue.js';

/** What the Functions app is built with besides the definition; everything defaults to the app settings. */
export interface AzureAppOptions {
  /** App settings. Default: `process.env`. */
  env?: Environment;
  /** The model providers the agents' models need (`modelProviders` of `@baton/model-openai`, ...). */
  providers?: readonly ModelProvider[];
  logger?: Logger;
  /**
   * For identity-based connections: storage (`<setting>__accountName` / `__queueServiceUri`) and
   * Cosmos DB (Entra ID). Default: `DefaultAzureCredential`, made on first use, when the settings
   * name such a connection.
   */
  credential?: TokenCredential;
  /** A store other than Cosmos DB from the app settings. */
  store?: SessionStore;
  clock?: Clock;
  /** Default: the host.json this package ships (and the build copies next to the bundle). */
  hostJson?: unknown;
  /**
   * The Functions host's own check on the API routes: `function` asks for a function key
   * (`x-functions-key` or `?code=`) before the app runs, `anonymous` leaves it to the app's `auth`.
   * Default: BATON_HTTP_AUTH_LEVEL, else `function`. Slack's routes and /healthz are always
   * anonymous (Slack cannot send a key; it signs its requests).
   */
  authLevel?: AuthLevel;
}

export interface AzureApp {
  app: BatonApp;
  queue: StorageQueueRunQueue;
  /** The app setting the queue triggers' `connection` names. */
  connection: string;
  /** host.json as the host applies it (with `AzureFunctionsJobHost__*` overrides). */
  settings: HostSettings;
  /** The API routes' auth level: the option, else BATON_HTTP_AUTH_LEVEL, else `function`. */
  authLevel: AuthLevel;
  /** BATON_APP_SERVICE_AUTH=true: App Service authentication guards `x-ms-client-principal`. */
  appServiceAuth: boolean;
  /**
   * BATON_CONSOLE is set: the web console's app, imported on its first request (null if the
   * setting says off). `registerBaton` then adds the anonymous `console/{*path}` function.
   */
  console?: () => Promise<HostedConsole | null>;
}

/** How long an HTTP input's safety-net run message stays hidden: the inline run usually ends first. */
const DEFAULT_SAFETY_NET_DELAY_MS = 30_000;

/**
 * Builds the app the Functions register: the definition on Cosmos DB (or the given store) and the
 * Storage Queue from the app settings, with host.json's limits.
 *
 * @example
 * const { app, queue } = createAzureApp(definition, { env: { AzureWebJobsStorage: 'UseDevelopmentStorage=true', BATON_STORE: 'memory' } });
 */
export function createAzureApp(definition: BatonDefinition, options: AzureAppOptions = {}): AzureApp {
  if (!isBatonDefinition(definition)) {
    throw new ConfigurationError('the app definition must be the default export of defineBaton(...)');
  }
  const env = options.env ?? process.env;
  // Identity-based connections (the deployed stack holds no keys) use the app's managed identity.
  const identity = options.credential ?? (usesManagedIdentity(env) ? lazyCredential() : undefined);
  const credential = identity ? { credential: identity } : {};
  const queue = StorageQueueRunQueue.fromEnvironment(env, credential);
  const settings = hostSettings(options.hostJson ?? hostJson, env);
  const host: AppHost = {
    // A deployed API answers the internet: a definition without `auth` stops the host at start.
    requireAuth: true,
    store: options.store ?? storeFromEnvironment(env, identity),
    queue,
    env,
    safetyNetDelayMs: DEFAULT_SAFETY_NET_DELAY_MS,
    ...(options.providers ? { providers: options.providers } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  };
  const app = createBatonApp(definition, host);
  if (app.baton.store instanceof MemoryStore) {
    app.baton.logger.warn(
      'BATON_STORE=memory: sessions live in this instance memory and are lost on restart or scale-out',
    );
  }
  return {
    app,
    queue,
    connection: storageConnectionSetting(env),
    settings,
    authLevel: options.authLevel ?? (env.BATON_HTTP_AUTH_LEVEL === 'anonymous' ? 'anonymous' : 'function'),
    // Read by its literal name so the infra contract sees the read (APP_SERVICE_AUTH_SETTING).
    appServiceAuth: env.BATON_APP_SERVICE_AUTH === 'true',
    ...(env.BATON_CONSOLE ? { console: consoleLoader(definition, host, settings.routePrefix) } : {}),
  };
}

/**
 * `@baton/console/hosted` imported on the first console request and built once: the same
 * definition and host as the app, its links under the host's route prefix (`/api`).
 */
function consoleLoader(
  definition: BatonDefinition,
  host: AppHost,
  routePrefix: string,
): () => Promise<HostedConsole | null> {
  const prefix = routePrefix.replace(/^\/+|\/+$/g, '');
  let loaded: Promise<HostedConsole | null> | undefined;
  return () => {
    loaded ??= import('@baton/console/hosted')
      .then(({ hostedConsole }) => hostedConsole(definition, host, { prefix: prefix ? `/${prefix}` : '' }))
      .catch((error: unknown) => {
        loaded = undefined;
        throw error;
      });
    return loaded;
  };
}

/**
 * Cosmos DB when its settings are present, else memory when BATON_STORE=memory; anything else stops
 * the app at start: a deployed app that silently lost its sessions on every restart would be worse.
 */
export function storeFromEnvironment(env: Environment, credential?: TokenCredential): SessionStore {
  const store = cosmosStoreFromEnvironment(env, credential ? { credential } : {});
  if (store) return store;
  if (env.BATON_STORE !== 'memory') {
    throw new ConfigurationError(
      `no session store configured${env.BATON_STORE ? ` (BATON_STORE is "${env.BATON_STORE}")` : ''}: set COSMOS_ENDPOINT and COSMOS_KEY (or COSMOS_CONNECTION_STRING), or BATON_STORE=memory for a throwaway demo`,
    );
  }
  return new MemoryStore();
}
