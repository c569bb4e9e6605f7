import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { sessionRef } from '@baton/core';
import { intFlag, parseCommand, STORE_HELP, STORE_OPTIONS, tenantOf } from './cli-args.js';
import { CliError, type CliIo } from './cli-io.js';
import { progress } from './progress.js';
import { exportSession } from './session-file.js';
import { openStore } from './store-selection.js';
import { terminalSafe } from './text-table.js';

const USAGE = `Usage: baton sessions export <id> [options]

Writes the session as versioned JSON Lines: a header line ({"format":"baton-session","version":1,
...}), the head, then every event in order. \`baton sessions import\` reads it into any store.

Options:
  -o, --out FILE    write to FILE instead of stdout
  --page-size N     events per store read (default 500)
  -h, --help

${STORE_HELP}`;

export async function sessionsExport(io: CliIo, argv: string[]): Promise<number> {
  const parsed = parseCommand(io, argv, {
    usage: USAGE,
    options: { ...STORE_OPTIONS, out: { type: 'string', short: 'o' }, 'page-size': { type: 'string' } },
    positionals: [1, 1],
  });
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  const ref = sessionRef(tenantOf(values), positionals[0]);
  const pageSize = intFlag(values['page-size'], 'page-size', 500, 1);
  const opened = await openStore(values, io);
  const path = values.out ? resolve(io.cwd, values.out) : undefined;
  const file = path ? createWriteStream(path) : undefined;
  let finished = false;
  try {
    const bar = progress(io, 'exporting', undefined);
    const result = await exportSession(opened.store, ref, (line) => write(file ?? io.stdout, line), {
      source: opened.kind,
      pageSize,
      onProgress: (done, total) => bar.update(done, total),
    });
    if (!result)
      throw new CliError(`no session ${ref.sessionId} in tenant ${ref.tenant} (${opened.description})`);
    if (file) {
      file.end();
      await once(file, 'finish');
    }
    finished = true;
    bar.finish(
      `exported ${result.events} events of ${terminalSafe(ref.sessionId)} from ${opened.description}`,
    );
    return 0;
  } finally {
    // A failed export leaves no partial file that could be mistaken for a whole one.
    if (file && !finished) {
      file.destroy();
      await rm(path!, { force: true });
    }
    await opened.close();
  }
}

/** Writes with backpressure, so a large export never piles up in memory. */
async function write(target: CliIo['stdout'] | WriteStream, line: string): Promise<void> {
  const flushed = target.write(line);
  if (flushed === false && 'once' in target && typeof target.once === 'function') {
    await once(target as WriteStream, 'drain');
  }
}
