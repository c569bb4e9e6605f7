import { jsonLogger } from '@baton/core';
import { loadConfig } from '../config.js';
import { startLocalApp } from '../local-app.js';
import { findConfig, loadDefinition } from './config-file.js';

/**
 * `baton serve`: the project's baton.config.ts on the local host (SQLite store and queue under
 * .baton/, the worker, the console), with a banner that says where it listens, which config and
 * which model answer. Runs until SIGINT or SIGTERM; pending runs stay queued on disk.
 */
export async function serveProject(options: { cwd: string; config?: string }): Promise<never> {
  const configPath = findConfig(options.cwd, options.config);
  const definition = await loadDefinition(configPath);
  const config = loadConfig(process.env, options.cwd);
  const app = await startLocalApp(definition, config, {
    logger: jsonLogger({ level: (process.env.BATON_LOG_LEVEL as 'info' | undefined) ?? 'warn' }),
  });
  const out = process.stdout;
  out.write(`Baton is listening on ${app.url}\n`);
  out.write(`  app: ${configPath}\n`);
  out.write(`  store: SQLite ${config.dbPath} (sessions and pending runs survive a restart)\n`);
  for (const [agent, model] of app.models) out.write(`  model (${agent}): ${model.description}\n`);
  out.write(`  auth: ${app.auth}\n`);
  out.write(
    'url' in app.console
      ? `  console: ${app.console.url}\n`
      : `  console: not served (${app.console.disabled})\n`,
  );
  if (process.env.BATON_CONSOLE_TOKEN) {
    out.write(
      '  BATON_CONSOLE_TOKEN is no longer read: the console signs in with an API key (`baton keys create`)\n',
    );
  }
  out.write('Try:\n');
  // With auth the API wants a credential: a key from `baton keys create` when the app takes API keys.
  const credential =
    definition.config.auth === undefined || definition.config.auth === 'none'
      ? ''
      : ` -H "authorization: Bearer $BATON_KEY"`;
  if (credential) out.write('  BATON_KEY=$(npx baton keys create --tenant default)\n');
  out.write(
    `  curl -s ${app.url}/sessions/demo/messages -H 'content-type: application/json'${credential} -d '{"text":"hello"}'\n`,
  );
  const shutdown = async (signal: string) => {
    out.write(`\n${signal}: stopping (pending runs stay queued in ${config.dbPath})\n`);
    await app.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  return new Promise<never>(() => {});
}
