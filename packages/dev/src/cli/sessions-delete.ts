import { sessionRef } from '@baton/core';
import { parseCommand, STORE_HELP, STORE_OPTIONS, tenantOf } from './cli-args.js';
import { CliError, type CliIo } from './cli-io.js';
import { openStore } from './store-selection.js';
import { terminalSafe } from './text-table.js';

const USAGE = `Usage: baton sessions delete <id> [options]

Deletes the session: its head, every event and every dedupe record. There is no undo; export it
first (\`baton sessions export\`) to keep a copy.

Options:
  -h, --help

${STORE_HELP}`;

export async function sessionsDelete(io: CliIo, argv: string[]): Promise<number> {
  const parsed = parseCommand(io, argv, { usage: USAGE, options: STORE_OPTIONS, positionals: [1, 1] });
  if (!parsed) return 0;
  const ref = sessionRef(tenantOf(parsed.values), parsed.positionals[0]);
  const opened = await openStore(parsed.values, io);
  try {
    const head = await opened.store.readHead(ref);
    if (!head)
      throw new CliError(`no session ${ref.sessionId} in tenant ${ref.tenant} (${opened.description})`);
    await opened.store.delete(ref);
    io.stdout.write(
      `deleted ${terminalSafe(ref.sessionId)} (${head.seq} events) from ${opened.description}\n`,
    );
    return 0;
  } finally {
    await opened.close();
  }
}
