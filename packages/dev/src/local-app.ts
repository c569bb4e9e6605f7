import type { Server } from 'node:http';
import {
  type AuthConfig,
  type AuthMode,
  type Baton,
  type BatonApp,
  type BatonDefinition,
  type Clock,
  ConfigurationError,
  createBatonApp,
  type Environment,
  integerSetting,
  jsonLogger,
  type Logger,
  neededProviders,
  type ResolvedModel,
  systemClock,
} from '@baton/core';
import { SqliteStore } from '@baton/store-sqlite';
import type { LocalConfig } from './config.js';
import { ConsoleSessions, consoleSettings, createConsoleHandler, isLoopbackHost } from './console/index.js';
import { consoleRoute, signInRedirect } from './console-mount.js';
import { startHttpServer } from './http-server.js';
import { SqliteRunQueue } from './local-queue.js';
import { reclaimPredecessors } from './local-reclaim.js';
import { LocalWorker } from './local-worker.js';
import { loadModelProviders, type PackageImporter } from './model-providers.js';

export interface LocalApp {
  app: BatonApp;
  /** The app's engine (`app.baton`). */
  baton: Baton;
  queue: SqliteRunQueue;
  worker: LocalWorker;
  server: Server;
  url: string;
  /** Each agent's resolved model, for the start banner. */
  models: ReadonlyMap<string, ResolvedModel>;
  /** Where the web console is served, or why it is not. */
  console: { url: string } | { disabled: string };
  /** Who may call, for the start banner: the local identity, or the app's auth modes. */
  auth: string;
  /** What this server took back at start from a predecessor that died (leases broken, messages). */
  reclaimed: { leases: number; messages: number };
  stop(): Promise<void>;
}

export interface LocalAppOptions {
  clock?: Clock;
  logger?: Logger;
  /** Settings and credentials of the app (models, channels, BATON_LEASE_MS ...). Default: `process.env`. */
  env?: Environment;
  /** How model provider packages are loaded. Default: `import()`. */
  importer?: PackageImporter;
  /** Deliveries of a run message before it is dead-lettered. Default 8. */
  maxReceives?: number;
}

/**
 * Serves an app locally: SQLite store and durable run queue in one file, a worker draining the
 * queue into `app.deliver`, and an HTTP server in front of `app.fetch` with the console mounted.
 *
 * @example
 * const local = await startLocalApp(defineBaton({ agents: [myAgent] }), loadConfig());
 * console.log(`listening on ${local.url}`);
 */
export async function startLocalApp(
  definition: BatonDefinition,
  config: LocalConfig,
  options: LocalAppOptions = {},
): Promise<LocalApp> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? jsonLogger();
  const env = options.env ?? process.env;
  const auth = definition.config.auth;
  // On 127.0.0.1 a request without credentials is this machine's developer (the local identity),
  // unless BATON_REQUIRE_AUTH asks for the deployed behaviour; beyond it, auth is required.
  const loopback = isLoopbackHost(config.host);
  const localOnly = loopback && !(config.requireAuth && auth !== undefined);
  if (auth === undefined && !loopback) {
    throw new ConfigurationError(
      `HOST=${config.host} would serve the API beyond this machine with no auth: add \`auth: apiKeys()\` to defineBaton in baton.config.ts (then \`baton keys create --tenant NAME\`), or serve on HOST=127.0.0.1`,
    );
  }
  const providers = await loadModelProviders(neededProviders(definition, env), options.importer);
  // Dedupe records are kept 7 days unless BATON_DEDUPE_TTL_MS says otherwise.
  const dedupeTtlMs = integerSetting(env, 'BATON_DEDUPE_TTL_MS');
  const store = new SqliteStore({
    path: config.dbPath,
    ...(dedupeTtlMs !== undefined ? { dedupeTtlMs } : {}),
  });
  const queue = new SqliteRunQueue(config.dbPath, clock);
  // A previous `baton serve` killed mid-run: its leases and messages come back now, not in minutes.
  const reclaimed = await reclaimPredecessors(store, queue, clock, logger).catch(async (error) => {
    queue.close();
    await store.close?.();
    throw error;
  });
  const settings = config.console ?? consoleSettings({}, { enabledByDefault: true });
  // Browsers sign in to the console with an API key when the app takes API keys.
  const sessions =
    settings.enabled && modesOf(auth).some((mode) => mode.kind === 'api_key')
      ? new ConsoleSessions({ context: { store, clock, env, logger } })
      : undefined;
  const consoleHandler = settings.enabled
    ? createConsoleHandler({
        store,
        logger,
        ...(sessions ? { signIn: sessions } : {}),
        ...(config.prices ? { prices: config.prices } : {}),
      })
    : null;
  const release = async () => {
    reclaimed.release();
    queue.close();
    await store.close?.();
  };
  let app: BatonApp;
  let listening: { server: Server; url: string };
  try {
    app = createBatonApp(definition, {
      store,
      queue,
      env,
      clock,
      logger,
      providers,
      routes: consoleHandler ? [consoleRoute(consoleHandler)] : [],
      localOnly,
      authModes: sessions ? [sessions.authMode()] : [],
      // The inline run usually answers first; the queued message is the safety net if this process dies.
      safetyNetDelayMs: config.syncWaitMs + 1_000,
      requestBudgetMs: config.runBudgetMs,
    });
    const served = app;
    listening = await startHttpServer(
      // A browser that opens a console page without a session is sent to the sign-in form.
      {
        ...served,
        fetch: async (request, fetchOptions) =>
          signInRedirect(request, await served.fetch(request, fetchOptions)),
      },
      {
        host: config.host,
        port: config.port,
        runBudgetMs: config.runBudgetMs,
        syncWaitMs: config.syncWaitMs,
      },
    );
  } catch (error) {
    await release();
    throw error;
  }
  const { server, url } = listening;
  const worker = new LocalWorker(
    app,
    queue,
    {
      runBudgetMs: config.runBudgetMs,
      holder: reclaimed.incarnation,
      ...(options.maxReceives !== undefined ? { maxReceives: options.maxReceives } : {}),
    },
    logger,
  );
  worker.start();
  return {
    app,
    baton: app.baton,
    queue,
    worker,
    server,
    url,
    models: app.models,
    console: settings.enabled ? { url: `${url}/console` } : { disabled: settings.reason },
    auth: describeAuth(auth),
    reclaimed: { leases: reclaimed.leases, messages: reclaimed.messages },
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Live console streams never end by themselves: end them, then drop their now idle connections.
      await consoleHandler?.close();
      server.closeIdleConnections();
      await closed;
      server.closeAllConnections();
      await worker.stop();
      await release();
    },
  };
}

function modesOf(auth: AuthConfig | undefined): readonly AuthMode[] {
  if (auth === undefined || auth === 'none') return [];
  return 'authenticate' in auth ? [auth as AuthMode] : (auth as readonly AuthMode[]);
}

function describeAuth(auth: AuthConfig | undefined): string {
  if (auth === undefined)
    return "local only (this machine's requests, Host and Origin checked); `auth: apiKeys()` serves others";
  if (auth === 'none') return "none: every caller is trusted (auth: 'none')";
  return modesOf(auth)
    .map((mode) => mode.describe())
    .join(', then ');
}
