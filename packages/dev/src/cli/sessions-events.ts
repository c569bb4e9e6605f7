import { readLog, SessionDigest } from '@baton/console';
import { type PriceTable, sessionRef } from '@baton/core';
import { intFlag, parseCommand, STORE_HELP, STORE_OPTIONS, tenantOf } from './cli-args.js';
import { CliError, type CliIo } from './cli-io.js';
import { openStore } from './store-selection.js';
import { timelineText } from './transcript-text.js';

const USAGE = `Usage: baton sessions events <id> [options]

The session's event log, read in pages: one line per event, or JSON Lines with --json.

Options:
  --json        each event as stored, one JSON object per line
  --after SEQ   only events after this seq (default 0)
  --limit N     at most N events
  -h, --help

${STORE_HELP}`;

export async function sessionsEvents(io: CliIo, argv: string[], prices: PriceTable): Promise<number> {
  const parsed = parseCommand(io, argv, {
    usage: USAGE,
    options: {
      ...STORE_OPTIONS,
      json: { type: 'boolean' },
      after: { type: 'string' },
      limit: { type: 'string' },
    },
    positionals: [1, 1],
  });
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  const ref = sessionRef(tenantOf(values), positionals[0]);
  const after = intFlag(values.after, 'after', 0);
  const limit = intFlag(values.limit, 'limit', Number.MAX_SAFE_INTEGER, 1);
  const opened = await openStore(values, io);
  try {
    const head = await opened.store.readHead(ref);
    if (!head)
      throw new CliError(`no session ${ref.sessionId} in tenant ${ref.tenant} (${opened.description})`);
    const through = Math.min(head.seq, after + limit);
    // Without --json a tool result shows its call's arguments, which an earlier event holds.
    const digest = new SessionDigest(prices);
    for await (const events of readLog(opened.store, ref, {
      afterSeq: values.json ? after : 0,
      throughSeq: through,
    })) {
      if (!values.json) digest.add(events);
      for (const event of events) {
        if (event.seq <= after) continue;
        io.stdout.write(
          values.json ? `${JSON.stringify(event)}\n` : `${timelineText(event, digest.calls)}\n`,
        );
      }
    }
    return 0;
  } finally {
    await opened.close();
  }
}
