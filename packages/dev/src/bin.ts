import { parseArgs } from 'node:util';
import { isBatonError } from '@baton/core';

const USAGE = `baton: serve, build and look after Baton agents

Usage:
  baton init [dir]       a new project: baton.config.ts with one agent and one tool, its test,
                         package.json (start, test, deploy) and sst.config.ts
  baton serve            serve the folder's baton.config.ts locally (SQLite under .baton/, a
                         durable local queue, the web console at /console)
  baton build aws        bundle baton.config.ts for Lambda (.baton/build/aws)
  baton build azure      bundle it as an Azure Functions app (.baton/build/azure)
  baton sessions ...     list, show, events, approve, reject, delete, export, import
  baton tenants cost     token usage and estimated cost of a tenant
  baton keys ...         create, list, revoke API keys (for \`auth: apiKeys()\`)
  baton migrate pending-index  once after an upgrade: mark pending sessions an older Baton wrote
  baton <command> --help more about a command

  --config FILE          another config file than baton.config.ts (serve, build)

Environment:
  PORT (3000), HOST (127.0.0.1), BATON_DATA_DIR (.baton), BATON_DB, BATON_SYNC_WAIT_MS (10000),
  BATON_RUN_BUDGET_MS (300000), BATON_LEASE_MS, BATON_MODEL_CALL_MS, BATON_LOG_LEVEL (warn)
  HOST beyond loopback needs \`auth\` in baton.config.ts (e.g. \`auth: apiKeys()\`, keys from \`baton keys\`)
  Console and cost: BATON_CONSOLE (on | off), BATON_CONSOLE_SECRET (signs console sign-ins; default random
  per process), BATON_PRICES (a JSON price table overriding the built-in one)
  Model (for agents that name none): BATON_MODEL (<provider>:<model>), or OPENAI_API_KEY,
  OPENAI_BASE_URL, AZURE_OPENAI_ENDPOINT (see the README's model providers)
`;

async function main(argv: string[]): Promise<number> {
  // Loaded on demand: the session commands must not load the model SDKs the server needs, and the
  // server not the CLI.
  const [command] = argv;
  if (command === 'sessions' || command === 'tenants' || command === 'keys' || command === 'migrate') {
    const [{ runCli }, { processIo }] = await Promise.all([
      import('./cli/cli.js'),
      import('./cli/cli-io.js'),
    ]);
    return runCli(argv, processIo());
  }
  if (command === 'init' || command === 'build') {
    const [{ runProjectCommand }, { processIo }] = await Promise.all([
      import('./project/project-commands.js'),
      import('./cli/cli-io.js'),
    ]);
    return runProjectCommand(argv, processIo());
  }
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { help: { type: 'boolean', short: 'h' }, config: { type: 'string' } },
  });
  if (values.help || positionals[0] === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if ((positionals[0] ?? 'serve') === 'serve') {
    const { serveProject } = await import('./project/serve-command.js');
    return serveProject({ cwd: process.cwd(), ...(values.config ? { config: values.config } : {}) });
  }
  process.stderr.write(`unknown command ${positionals[0]}\n\n${USAGE}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exit(code);
  },
  (error: unknown) => {
    // A misconfiguration, a wrong flag or a store that cannot be used (damaged, full, unopenable) is
    // one line that says what to fix; anything else keeps its stack.
    const oneLine =
      (isBatonError(error) && (error.code === 'configuration' || error.code.startsWith('store_'))) ||
      (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(
      `baton: ${oneLine ? (error as Error).message : ((error as Error).stack ?? String(error))}\n`,
    );
    process.exit(oneLine ? 2 : 1);
  },
);
