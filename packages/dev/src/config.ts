import { join, resolve } from 'node:path';
import { type ConsoleSettings, consoleSettings, pricesFromEnvironment } from '@baton/console';
import { integerSetting, type PriceTable } from '@baton/core';

export interface LocalConfig {
  host: string;
  port: number;
  /** Folder of the SQLite file (sessions and the run queue); git-ignored. */
  dataDir: string;
  dbPath: string;
  syncWaitMs: number;
  runBudgetMs: number;
  /** Whether `/console` is served (BATON_CONSOLE); default: on. Who may open it is the app's auth. */
  console?: ConsoleSettings;
  /** Price table for cost estimates (built-in, overridden by BATON_PRICES). */
  prices?: PriceTable;
  /**
   * BATON_REQUIRE_AUTH=1: on 127.0.0.1 too, a request without credentials is refused as on a
   * deployed host (by default it is this machine's developer when the app has auth).
   */
  requireAuth?: boolean;
}

/**
 * Reads the local server's settings from the environment; every one has a default that works
 * offline. The app's own settings (BATON_LEASE_MS, BATON_MODEL_CALL_MS, ...) are read by the app.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): LocalConfig {
  const dataDir = resolve(cwd, env.BATON_DATA_DIR ?? '.baton');
  const host = env.HOST ?? '127.0.0.1';
  return {
    host,
    port: intSetting(env, 'PORT', 3000),
    dataDir,
    dbPath: env.BATON_DB ? resolve(cwd, env.BATON_DB) : join(dataDir, 'baton.db'),
    syncWaitMs: intSetting(env, 'BATON_SYNC_WAIT_MS', 10_000),
    runBudgetMs: intSetting(env, 'BATON_RUN_BUDGET_MS', 5 * 60_000),
    console: consoleSettings(env, { enabledByDefault: true }),
    prices: pricesFromEnvironment(env),
    requireAuth: /^(1|true|yes)$/i.test(env.BATON_REQUIRE_AUTH ?? ''),
  };
}

function intSetting(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  return integerSetting(env, name) ?? fallback;
}
