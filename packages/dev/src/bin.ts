import { parseArgs } from 'node:util';
import { isBatonError, jsonLogger } from '@baton/core';

const USAGE = `baton: run Baton locally, and look after its sessions in any store

Usage:
  baton serve            start the local server (SQLite store under .baton/, durable local queue)
                         and the web console at /console
  baton sessions ...     list, show, events, approve, reject, delete, export, import
  baton tenants cost     token usage and estimated cost of a tenant
  baton <command> --help more about a command

Environment:
  PORT (3000), HOST (127.0.0.1), BATON_DATA_DIR (.baton), BATON_DB, BATON_SYNC_WAIT_MS (10000),
  BATON_RUN_BUDGET_MS (300000), BATON_LEASE_MS, BATON_MODEL_CALL_MS, BATON_LOG_LEVEL (warn)
  Console and cost: BATON_CONSOLE (on | off), BATON_CONSOLE_TOKEN (required unless HOST is loopback),
  BATON_PRICES (a JSON price table overriding the built-in one)
  Model: BATON_MODEL_PROVIDER (openai | azure-openai | openai-compatible | offline), BATON_MODEL,
  OPENAI_API_KEY, OPENAI_BASE_URL, AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY, OPENAI_API_VERSION
`;

async function main(argv: string[]): Promise<number> {
  // Each of these parses its own flags, --help included. Loaded on demand: the session commands
  // must not load the model adapters' cloud SDKs that the server needs, and the server not the CLI.
  if (argv[0] === 'sessions' || argv[0] === 'tenants') {
    const [{ runCli }, { processIo }] = await Promise.all([
      import('./cli/cli.js'),
      import('./cli/cli-io.js'),
    ]);
    return runCli(argv, processIo());
  }
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
  const [{ defineBaton }, { createExampleAgent }, { loadConfig }, { startLocalApp }] = await Promise.all([
    import('@baton/core'),
    import('@baton/example-agent'),
    import('./config.js'),
    import('./local-app.js'),
  ]);
  const config = loadConfig();
  // Until `baton serve` loads the project's baton.config.ts: the repository's example agent.
  const app = await startLocalApp(defineBaton({ agents: [createExampleAgent()] }), config, {
    logger: jsonLogger({ level: (process.env.BATON_LOG_LEVEL as 'info' | undefined) ?? 'warn' }),
  });
  const out = process.stdout;
  out.write(`Baton is listening on ${app.url}\n`);
  out.write(`  store: SQLite ${config.dbPath} (sessions and pending runs survive a restart)\n`);
  for (const [agent, model] of app.models) {
    const name = app.models.size > 1 ? ` (${agent})` : '';
    out.write(`  model${name}: ${model.description}\n`);
  }
  out.write(
    'url' in app.console
      ? `  console: ${app.console.url}\n`
      : `  console: not served (${app.console.disabled})\n`,
  );
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
    // A misconfiguration is one line that says what to fix; anything else keeps its stack.
    const text = isBatonError(error) && error.code === 'configuration' ? error.message : undefined;
    process.stderr.write(`baton: ${text ?? (error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
