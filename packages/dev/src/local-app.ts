import type { Server } from 'node:http';
import { type Baton, type Clock, createBaton, jsonLogger, type Logger, systemClock } from '@baton/core';
import { createExampleAgent } from '@baton/example-agent';
import { SqliteStore } from '@baton/store-sqlite';
import type { LocalConfig } from './config.js';
import { startHttpServer } from './http-server.js';
import { SqliteRunQueue } from './local-queue.js';
import { LocalWorker } from './local-worker.js';
import { type SelectedModel, selectModel } from './model-selection.js';

export interface LocalApp {
  baton: Baton;
  queue: SqliteRunQueue;
  worker: LocalWorker;
  server: Server;
  url: string;
  model: SelectedModel;
  stop(): Promise<void>;
}

/** Assembles the local product: SQLite store + durable local queue + worker + HTTP server. */
export async function startLocalApp(
  config: LocalConfig,
  options: { clock?: Clock; logger?: Logger; model?: SelectedModel } = {},
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
  const worker = new LocalWorker(baton, queue, { runBudgetMs: config.runBudgetMs }, logger);
  const { server, url } = await startHttpServer(baton, {
    host: config.host,
    port: config.port,
    runBudgetMs: config.runBudgetMs,
    syncWaitMs: config.syncWaitMs,
  });
  worker.start();
  return {
    baton,
    queue,
    worker,
    server,
    url,
    model,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await worker.stop();
      queue.close();
      await store.close?.();
    },
  };
}
