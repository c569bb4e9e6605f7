import type { Server } from 'node:http';
import { type Baton, type Clock, createBaton, jsonLogger, type Logger, systemClock } from '@baton/core';
import { createExampleAgent } from '@baton/example-agent';
import { createSlackChannel, type SlackChannel } from '@baton/slack';
import { SqliteStore } from '@baton/store-sqlite';
import type { LocalConfig } from './config.js';
import { consoleSettings, createConsoleHandler, isLoopbackHost } from './console/index.js';
import { consoleRoutes } from './console-mount.js';
import { startHttpServer } from './http-server.js';
import { SqliteRunQueue } from './local-queue.js';
import { LocalWorker } from './local-worker.js';
import { type SelectedModel, selectModel } from './model-selection.js';
import { type SlackSettings, slackRoutes, slackSettingsFromEnvironment } from './slack-routes.js';

export interface LocalApp {
  baton: Baton;
  queue: SqliteRunQueue;
  worker: LocalWorker;
  server: Server;
  url: string;
  model: SelectedModel;
  /** Where the web console is served, or why it is not. */
  console: { url: string } | { disabled: string };
  /** Served on /slack/events, /slack/interactivity and /slack/commands when configured. */
  slack: SlackChannel | undefined;
  stop(): Promise<void>;
}

/** Assembles the local product: SQLite store + durable local queue + worker + HTTP server. */
export async function startLocalApp(
  config: LocalConfig,
  options: {
    clock?: Clock;
    logger?: Logger;
    model?: SelectedModel;
    /** Default: from SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN (and SLACK_API_URL, ...), when set. */
    slack?: SlackSettings;
  } = {},
): Promise<LocalApp> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? jsonLogger();
  const model = options.model ?? (await selectModel());
  const store = new SqliteStore({ path: config.dbPath });
  const queue = new SqliteRunQueue(config.dbPath, clock);
  const baton = createBaton({
    store,
    agents: [
      createExampleAgent(model.model, {
        timing: {
          ...(config.leaseMs ? { leaseMs: config.leaseMs } : {}),
          ...(config.modelCallMs ? { modelCallMs: config.modelCallMs } : {}),
        },
      }),
    ],
    queue,
    clock,
    logger,
    // The inline run usually answers first; the queued message is the safety net if this process dies.
    safetyNetDelayMs: config.syncWaitMs + 1_000,
  });
  const slackSettings = options.slack ?? slackSettingsFromEnvironment(process.env);
  const slack = slackSettings ? createSlackChannel({ baton, ...slackSettings }) : undefined;
  const worker = new LocalWorker(
    baton,
    queue,
    { runBudgetMs: config.runBudgetMs, ...(slack ? { slack } : {}) },
    logger,
  );
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
  const consoleMount = consoleHandler ? consoleRoutes(consoleHandler) : undefined;
  const extraRoutes = slack ? slackRoutes(slack, consoleMount) : consoleMount;
  const { server, url } = await startHttpServer(baton, {
    host: config.host,
    port: config.port,
    runBudgetMs: config.runBudgetMs,
    syncWaitMs: config.syncWaitMs,
    ...(extraRoutes ? { extraRoutes } : {}),
  });
  worker.start();
  return {
    baton,
    queue,
    worker,
    server,
    url,
    model,
    console: settings.enabled ? { url: `${url}/console` } : { disabled: settings.reason },
    slack,
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Live console streams never end by themselves: end them, then drop their now idle connections.
      await consoleHandler?.close();
      server.closeIdleConnections();
      await closed;
      server.closeAllConnections();
      await worker.stop();
      queue.close();
      await store.close?.();
    },
  };
}
