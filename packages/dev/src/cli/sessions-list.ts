import { formatCost, formatCount, formatTime, STATUSES, sessionCost } from '@baton/console';
import type { Head, ListQuery, PriceTable, SessionStatus } from '@baton/core';
import { intFlag, parseCommand, STORE_HELP, STORE_OPTIONS, tenantOf } from './cli-args.js';
import { type CliIo, UsageError } from './cli-io.js';
import { openStore } from './store-selection.js';
import { terminalSafe, textTable } from './text-table.js';

const USAGE = `Usage: baton sessions list [options]

Lists the tenant's sessions, most recently updated first.

Options:
  --status STATUS    idle | running | waiting_approval | waiting_child | failed
  --limit N          sessions per page (default 50)
  --cursor C         the page after a previous listing's cursor
  --all              every page
  --all-tenants      every tenant's sessions (ignores --tenant)
  --cost             estimated cost of each session (reads every log listed)
  --json             one JSON object per session (JSON Lines)
  -h, --help

${STORE_HELP}`;

export async function sessionsList(io: CliIo, argv: string[], prices: PriceTable): Promise<number> {
  const parsed = parseCommand(io, argv, {
    usage: USAGE,
    options: {
      ...STORE_OPTIONS,
      status: { type: 'string' },
      limit: { type: 'string' },
      cursor: { type: 'string' },
      all: { type: 'boolean' },
      'all-tenants': { type: 'boolean' },
      cost: { type: 'boolean' },
      json: { type: 'boolean' },
    },
    positionals: [0, 0],
  });
  if (!parsed) return 0;
  const { values } = parsed;
  const status = values.status as SessionStatus | undefined;
  if (status !== undefined && !STATUSES.includes(status))
    throw new UsageError(`--status must be one of ${STATUSES.join(', ')}`);
  const limit = intFlag(values.limit, 'limit', 50, 1);
  const allTenants = values['all-tenants'] === true;
  const opened = await openStore(values, io);
  try {
    let cursor = values.cursor;
    const rows: string[][] = [];
    do {
      const query: ListQuery = {
        ...(allTenants ? {} : { tenant: tenantOf(values) }),
        ...(status ? { status } : {}),
        limit,
        ...(cursor ? { cursor } : {}),
      };
      const page = await opened.store.list(query);
      for (const head of page.sessions) {
        const cost = values.cost ? await sessionCost(opened.store, head, prices) : undefined;
        if (values.json) {
          io.stdout.write(`${JSON.stringify({ ...summary(head), ...(cost ? { cost } : {}) })}\n`);
        } else {
          rows.push([
            ...(allTenants ? [terminalSafe(head.tenant)] : []),
            terminalSafe(head.sessionId),
            head.status,
            terminalSafe(head.agent),
            formatCount(head.seq),
            `${formatCount(head.usage.inputTokens)} / ${formatCount(head.usage.outputTokens)}`,
            formatTime(head.updatedAt),
            ...(cost ? [formatCost(cost)] : []),
          ]);
        }
      }
      cursor = page.cursor;
    } while (values.all && cursor);
    if (!values.json) {
      const header = [
        ...(allTenants ? ['TENANT'] : []),
        'SESSION',
        'STATUS',
        'AGENT',
        'EVENTS',
        'TOKENS IN / OUT',
        'UPDATED',
        ...(values.cost ? ['EST. COST'] : []),
      ];
      const offset = allTenants ? 1 : 0;
      io.stdout.write(
        rows.length > 0 ? textTable(header, rows, new Set([3 + offset, 4 + offset])) : 'no sessions\n',
      );
    }
    if (cursor) io.stderr.write(`more sessions: --cursor ${cursor}\n`);
    return 0;
  } finally {
    await opened.close();
  }
}

function summary(head: Head) {
  return {
    tenant: head.tenant,
    sessionId: head.sessionId,
    agent: head.agent,
    status: head.status,
    seq: head.seq,
    usage: head.usage,
    createdAt: new Date(head.createdAt).toISOString(),
    updatedAt: new Date(head.updatedAt).toISOString(),
  };
}
