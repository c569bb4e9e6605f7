import { createReadStream } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { refKey, sessionRef, systemClock } from '@baton/core';
import { SqliteRunQueue } from '../local-queue.js';
import { intFlag, parseCommand, STORE_HELP, STORE_OPTIONS } from './cli-args.js';
import { CliError, type CliIo } from './cli-io.js';
import { importSession, SessionExistsError } from './import-writer.js';
import { progress } from './progress.js';
import { ImportFormatError, readSessionFile } from './session-file.js';
import { type OpenedStore, openStore } from './store-selection.js';
import { terminalSafe } from './text-table.js';

const USAGE = `Usage: baton sessions import [file | -] [options]

Reads a session written by \`baton sessions export\` (from stdin without a file, or with -) into
the selected store. Every line is checked first (a bad line is reported by number and nothing is
written); then the events are committed in chunks through the store's own commit, so it works on
stores with transaction limits. The session keeps its id, history, tool state and usage, and
continues in its new store.

Options:
  --replace        overwrite a session with the same id (deleted first)
  --tenant NAME    import under this tenant (default: the one in the file)
  --chunk-size N   events per commit (default 25)
  --create         create the SQLite file, DynamoDB table or Cosmos DB container if missing
  -h, --help

${STORE_HELP}`;

export async function sessionsImport(io: CliIo, argv: string[]): Promise<number> {
  const parsed = parseCommand(io, argv, {
    usage: USAGE,
    options: {
      ...STORE_OPTIONS,
      replace: { type: 'boolean' },
      'chunk-size': { type: 'string' },
      create: { type: 'boolean' },
    },
    positionals: [0, 1],
  });
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  const tenant = values.tenant === undefined ? undefined : sessionRef(values.tenant, 'x').tenant;
  const chunkEvents = intFlag(values['chunk-size'], 'chunk-size', 25, 1);
  const source = positionals[0] ?? '-';
  const input = source === '-' ? io.stdin : createReadStream(resolve(io.cwd, source));
  let file: Awaited<ReturnType<typeof readSessionFile>>;
  try {
    file = await readSessionFile(createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY }));
  } catch (error) {
    if (error instanceof ImportFormatError)
      throw new CliError(`import refused, nothing written: ${error.message}`);
    throw error;
  }
  const opened = await openStore(values, io, { create: values.create === true, newSqliteFile: true });
  try {
    const bar = progress(io, 'importing', file.events.length);
    const result = await importSession(opened.store, file, {
      replace: values.replace === true,
      tenant,
      chunkEvents,
      onProgress: (done, total) => bar.update(done, total),
    }).catch((error: unknown) => {
      if (error instanceof SessionExistsError || error instanceof ImportFormatError) {
        throw new CliError(`import refused, nothing written: ${error.message}`);
      }
      throw error;
    });
    const resumed = await resumeLocally(opened, file.head, result.ref);
    bar.finish(
      `imported ${result.events} events of ${terminalSafe(result.ref.sessionId)} into ${opened.description} in ${result.commits} commit(s)${resumed ? '; its pending run is queued for `baton serve`' : ''}`,
    );
    return 0;
  } finally {
    await opened.close();
  }
}

/**
 * A session exported with work pending (running, or a decision no run has read) needs a run
 * message in its new home. The cloud sweepers find such sessions themselves; the local server has
 * no sweeper, so the local queue gets one here.
 */
async function resumeLocally(
  opened: OpenedStore,
  head: { status: string; lastInputSeq: number; processedSeq: number },
  ref: { tenant: string; sessionId: string },
): Promise<boolean> {
  const pending = head.status === 'running' || head.lastInputSeq > head.processedSeq;
  if (!pending || opened.kind !== 'sqlite' || !opened.sqlitePath) return false;
  const queue = new SqliteRunQueue(opened.sqlitePath, systemClock);
  try {
    await queue.enqueue({
      v: 1,
      tenant: ref.tenant,
      sessionId: ref.sessionId,
      reason: 'retry',
      dedupeKey: `import:${refKey(ref)}:${systemClock.now()}`,
    });
  } finally {
    queue.close();
  }
  return true;
}
