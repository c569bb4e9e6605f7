import type { Server } from 'node:http';
import {
  type Baton,
  type BatonApp,
  type BatonDefinition,
  type Clock,
  createBatonApp,
  type Environment,
  jsonLogger,
  type Logger,
  neededProviders,
  type ResolvedModel,
  systemClock,
} from '@baton/core';
import { SqliteStore } from '@baton/store-sqlite';
import type { LocalConfig } from './config.js';
import { consoleSettings, createConsoleHandler, isLoopbackHost } from './console/index.js';
import { consoleRoute } from './console-mount.js';
import { startHttpServer } from './http-server.js';
import { SqliteRunQueue } from './local-queue.js';
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
  const providers = await loadModelProviders(neededProviders(definition, env), options.importer);
  const store = new SqliteStore({ path: config.dbPath });
  const queue = new SqliteRunQueue(config.dbPath, clock);
  const settings =
    config.console ?? consoleSettings({}, { loopback: isLoopbackHost(config.host), enabledByDefault: true });
  const consoleHandler = settings.enabled
    ? createConsoleHandler({
        store,
        auth: settings.auth,
        logger,
        ...(config.prices ? { prices: config.prices } : {}),
      })
    : null;
  const release = async () => {
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
      // The inline run usually answers first; the queued message is the safety net if this process dies.
      safetyNetDelayMs: config.syncWaitMs + 1_000,
      requestBudgetMs: config.runBudgetMs,
    });
    listening = await startHttpServer(app, {
      host: config.host,
      port: config.port,
      runBudgetMs: config.runBudgetMs,
      syncWaitMs: config.syncWaitMs,
    });
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
