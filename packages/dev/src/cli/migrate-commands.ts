import type { PendingBackfillProgress } from '@baton/core/store';
import { intFlag, parseCommand, STORE_HELP, STORE_OPTIONS } from './cli-args.js';
import type { CliIo } from './cli-io.js';
import { openStore } from './store-selection.js';

export const MIGRATE_USAGE = `Usage: baton migrate <command> [options]

Commands:
  pending-index   mark sessions with pending work that were written before the sweeper's pending
                  index existed (DynamoDB, Cosmos DB), so the sweep sees them

Every command takes --store sqlite|dynamodb|cosmos and its settings. \`baton migrate <command>
--help\` says more.
`;

const PENDING_INDEX_USAGE = `Usage: baton migrate pending-index [options]

Once, after upgrading a deployment whose table (DynamoDB) or container (Cosmos DB) holds sessions
written before the pending index: the sweeper reads only that index, so their pending work would
never be retried. Pages through the heads and marks each one with pending work, under a condition
on the version it read (a session a commit moved on meanwhile is left to that commit). Safe to run
again, and while the app serves traffic. SQLite files are upgraded when opened and need nothing.

Prints one line per page on stderr with the token to resume after it, and the totals on stdout.

Options:
  --page-size N      heads read per request (default 100)
  --max-pages N      stop after N pages (default: all); resume with the printed token
  --resume TOKEN     carry on after the page a previous run printed this token for
  --json             one JSON object per page (JSON Lines) on stdout instead
  -h, --help

${STORE_HELP}`;

/** `baton migrate pending-index`. Returns the exit code, or null for a command it does not know. */
export async function migrateCommand(
  io: CliIo,
  command: string | undefined,
  argv: string[],
): Promise<number | null> {
  if (command !== 'pending-index') return null;
  const parsed = parseCommand(io, argv, {
    usage: PENDING_INDEX_USAGE,
    options: {
      ...STORE_OPTIONS,
      'page-size': { type: 'string' },
      'max-pages': { type: 'string' },
      resume: { type: 'string' },
      json: { type: 'boolean' },
    },
    positionals: [0, 0],
  });
  if (!parsed) return 0;
  const { values } = parsed;
  const pageSize = intFlag(values['page-size'], 'page-size', 100, 1);
  const maxPages =
    values['max-pages'] === undefined ? undefined : intFlag(values['max-pages'], 'max-pages', 0, 1);
  const opened = await openStore(values, io);
  try {
    if (!opened.backfillPendingIndex) {
      io.stderr.write(
        `${opened.description} needs no backfill: its pending flag is set from each session's state when the file is opened\n`,
      );
      return 0;
    }
    io.stderr.write(`marking sessions with pending work in ${opened.description}\n`);
    const done = await opened.backfillPendingIndex({
      pageSize,
      ...(maxPages === undefined ? {} : { maxPages }),
      ...(values.resume === undefined ? {} : { startKey: values.resume }),
      onPage: (progress) => {
        if (values.json) io.stdout.write(`${JSON.stringify(progress)}\n`);
        else io.stderr.write(`${pageLine(progress)}\n`);
      },
    });
    if (!values.json) io.stdout.write(`${summary(done)}\n`);
    return 0;
  } finally {
    await opened.close();
  }
}

function pageLine(progress: PendingBackfillProgress): string {
  const next = progress.resumeToken ? `; resume with --resume ${progress.resumeToken}` : '; done';
  return `page ${progress.pages}: ${counts(progress)}${next}`;
}

function summary(done: PendingBackfillProgress): string {
  const rest = done.resumeToken
    ? `stopped after ${done.pages} pages; carry on with --resume ${done.resumeToken}`
    : `done in ${done.pages} pages`;
  return `${counts(done)}\n${rest}`;
}

function counts(progress: PendingBackfillProgress): string {
  return [
    `${progress.headsRead} heads read`,
    `${progress.pending} with pending work`,
    `${progress.marked} marked`,
    `${progress.alreadyMarked} already marked`,
    `${progress.movedOn} moved on (left to their commit)`,
    `${progress.unreadable} unreadable`,
  ].join(', ');
}
