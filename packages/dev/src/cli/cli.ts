import { pricesFromEnvironment } from '@baton/console';
import { isBatonError, type PriceTable } from '@baton/core';
import { CliError, type CliIo, UsageError } from './cli-io.js';
import { KEYS_USAGE, keysCommand } from './keys-commands.js';
import { MIGRATE_USAGE, migrateCommand } from './migrate-commands.js';
import { sessionsCancel } from './sessions-cancel.js';
import { sessionsDecide } from './sessions-decide.js';
import { sessionsDelete } from './sessions-delete.js';
import { sessionsEvents } from './sessions-events.js';
import { sessionsExport } from './sessions-export.js';
import { sessionsImport } from './sessions-import.js';
import { sessionsList } from './sessions-list.js';
import { sessionsShow } from './sessions-show.js';
import { tenantsCost } from './tenants-cost.js';
import { terminalSafe } from './text-table.js';

export const SESSIONS_USAGE = `Usage: baton sessions <command> [options]

Commands:
  list                       the tenant's sessions (--status, --cost, --all, --json)
  show <id>                  transcript, timeline, tokens and estimated cost
  events <id>                the event log (--json for JSON Lines)
  approve <id> <callId>      approve a tool call waiting for approval (--reason)
  reject <id> <callId>       reject it (--reason)
  cancel <id>                stop the session's current run (--reason)
  delete <id>                delete the session and its log
  export <id>                versioned JSON Lines on stdout (or --out FILE)
  import [file | -]          read an export into the selected store (--replace)

Every command takes --store sqlite|dynamodb|cosmos and its settings, and --tenant (default
"default"). \`baton sessions <command> --help\` says more.
`;

export const TENANTS_USAGE = `Usage: baton tenants <command> [options]

Commands:
  cost      token usage and estimated cost of the tenant's sessions (--tenant, --sessions, --json)
`;

const HELP = new Set([undefined, 'help', '--help', '-h']);

/**
 * The session, tenant and API key commands of the `baton` CLI. Returns the exit code: 0 done, 1 failed,
 * 2 wrong usage. Never throws, so tests call it directly with their own io.
 *
 * @example
 * const code = await runCli(['sessions', 'list', '--db', 'baton.db'], processIo());
 */
export async function runCli(
  argv: string[],
  io: CliIo,
  options: { prices?: PriceTable } = {},
): Promise<number> {
  const [group, command, ...rest] = argv;
  let prices: PriceTable | undefined = options.prices;
  const pricesNow = () => {
    prices ??= pricesFromEnvironment(io.env);
    return prices;
  };
  try {
    if (group === 'sessions') {
      switch (command) {
        case 'list':
          return await sessionsList(io, rest, pricesNow());
        case 'show':
          return await sessionsShow(io, rest, pricesNow());
        case 'events':
          return await sessionsEvents(io, rest, pricesNow());
        case 'approve':
        case 'reject':
          return await sessionsDecide(io, rest, command);
        case 'cancel':
          return await sessionsCancel(io, rest);
        case 'delete':
          return await sessionsDelete(io, rest);
        case 'export':
          return await sessionsExport(io, rest);
        case 'import':
          return await sessionsImport(io, rest);
        default:
          if (HELP.has(command)) {
            io.stdout.write(SESSIONS_USAGE);
            return 0;
          }
          throw new UsageError(`unknown command sessions ${command}\n\n${SESSIONS_USAGE}`);
      }
    }
    if (group === 'tenants') {
      if (command === 'cost') return await tenantsCost(io, rest, pricesNow());
      if (HELP.has(command)) {
        io.stdout.write(TENANTS_USAGE);
        return 0;
      }
      throw new UsageError(`unknown command tenants ${command}\n\n${TENANTS_USAGE}`);
    }
    if (group === 'keys') {
      const code = await keysCommand(io, command, rest);
      if (code !== null) return code;
      if (HELP.has(command)) {
        io.stdout.write(KEYS_USAGE);
        return 0;
      }
      throw new UsageError(`unknown command keys ${command}\n\n${KEYS_USAGE}`);
    }
    if (group === 'migrate') {
      const code = await migrateCommand(io, command, rest);
      if (code !== null) return code;
      if (HELP.has(command)) {
        io.stdout.write(MIGRATE_USAGE);
        return 0;
      }
      throw new UsageError(`unknown command migrate ${command}\n\n${MIGRATE_USAGE}`);
    }
    throw new UsageError(`unknown command ${group}`);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`baton: ${error.message}\n(try --help)\n`);
      return 2;
    }
    if (error instanceof CliError || isBatonError(error)) {
      io.stderr.write(`baton: ${terminalSafe((error as Error).message)}\n`);
      return 1;
    }
    io.stderr.write(`baton: ${terminalSafe((error as Error).stack ?? String(error))}\n`);
    return 1;
  }
}
