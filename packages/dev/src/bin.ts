import { parseArgs } from 'node:util';
import { jsonLogger } from '@baton/core';
import { loadConfig } from './config.js';
import { startLocalApp } from './local-app.js';

const USAGE = `baton: run Baton locally

Usage:
  baton serve            start the local server (SQLite store under .baton/, durable local queue)

Environment:
  PORT (3000), HOST (127.0.0.1), BATON_DATA_DIR (.baton), BATON_DB, BATON_SYNC_WAIT_MS (10000),
  BATON_RUN_BUDGET_MS (300000), BATON_LEASE_MS, BATON_MODEL_CALL_MS, BATON_LOG_LEVEL (warn)
  Model: BATON_MODEL_PROVIDER (openai | azure-openai | openai-compatible | offline), BATON_MODEL,
  OPENAI_API_KEY, OPENAI_BASE_URL, AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY, OPENAI_API_VERSION
`;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: false,
    options: { help: { type: 'boolean', short: 'h' } },
  });
  const command = positionals[0] ?? 'serve';
  if (values.help || command === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (command === 'serve') return serve();
  process.stderr.write(`unknown command ${command}\n\n${USAGE}`);
  return 2;
}

async function serve(): Promise<number> {
  const config = loadConfig();
  const app = await startLocalApp(config, {
    logger: jsonLogger({ level: (process.env.BATON_LOG_LEVEL as 'info' | undefined) ?? 'warn' }),
  });
  const out = process.stdout;
  out.write(`Baton is listening on ${app.url}\n`);
  out.write(`  store: SQLite ${config.dbPath} (sessions and pending runs survive a restart)\n`);
  out.write(`  model: ${app.model.description}\n`);
  out.write('Try:\n');
  out.write(
    `  curl -s ${app.url}/sessions/demo/messages -H 'content-type: application/json' -d '{"text":"note buy milk"}'\n`,
  );
  const shutdown = async (signal: string) => {
    out.write(`\n${signal}: stopping (pending runs stay queued in ${config.dbPath})\n`);
    await app.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  return new Promise<number>(() => {});
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`baton: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
