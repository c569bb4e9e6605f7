import { formatCost, formatCount, formatUsage, formatUsd, tenantCost } from '@baton/console';
import type { PriceTable } from '@baton/core';
import { parseCommand, STORE_HELP, STORE_OPTIONS, tenantOf } from './cli-args.js';
import type { CliIo } from './cli-io.js';
import { progress } from './progress.js';
import { openStore } from './store-selection.js';
import { terminalSafe, textTable } from './text-table.js';

const USAGE = `Usage: baton tenants cost [options]

Token usage and estimated cost of a tenant: every model call of every session, priced from the
built-in table of common OpenAI and Bedrock models, overridden by the JSON file named in
BATON_PRICES ({"model": {"input": 0.25, "output": 2, "cachedInput": 0.025}}, USD per million tokens).

Options:
  --sessions   one line per session as well
  --json       the totals (and sessions) as JSON
  -h, --help

${STORE_HELP}`;

export async function tenantsCost(io: CliIo, argv: string[], prices: PriceTable): Promise<number> {
  const parsed = parseCommand(io, argv, {
    usage: USAGE,
    options: { ...STORE_OPTIONS, sessions: { type: 'boolean' }, json: { type: 'boolean' } },
    positionals: [0, 0],
  });
  if (!parsed) return 0;
  const { values } = parsed;
  const tenant = tenantOf(values);
  const opened = await openStore(values, io);
  try {
    const bar = progress(io, 'reading sessions');
    const report = await tenantCost(opened.store, tenant, prices, { onSession: (done) => bar.update(done) });
    bar.finish(
      `read ${report.sessions.length} session(s) of tenant ${terminalSafe(tenant)} from ${opened.description}`,
    );
    if (values.json) {
      const sessions = values.sessions
        ? report.sessions.map(({ head, cost }) => ({ sessionId: head.sessionId, cost }))
        : undefined;
      io.stdout.write(
        `${JSON.stringify({ tenant, total: report.total, ...(sessions ? { sessions } : {}) }, null, 2)}\n`,
      );
      return 0;
    }
    const out: string[] = [
      `Tenant ${terminalSafe(tenant)}: ${formatCost(report.total)} estimated, ${formatCount(report.sessions.length)} session(s), ${formatCount(report.total.calls)} model call(s), ${formatUsage(report.total.usage)} tokens`,
    ];
    const byModel = report.total.byModel.map((entry) => [
      terminalSafe(entry.model),
      formatCount(entry.calls),
      formatUsage(entry.usage),
      entry.usd === null ? 'no price' : formatUsd(entry.usd),
    ]);
    io.stdout.write(`${out.join('\n')}\n\n`);
    if (byModel.length > 0)
      io.stdout.write(textTable(['MODEL', 'CALLS', 'TOKENS', 'EST. COST'], byModel, new Set([1, 3])));
    if (values.sessions && report.sessions.length > 0) {
      const rows = [...report.sessions]
        .sort((a, b) => b.cost.usd - a.cost.usd)
        .map(({ head, cost }) => [
          terminalSafe(head.sessionId),
          formatCount(cost.calls),
          formatUsage(cost.usage),
          formatCost(cost),
        ]);
      io.stdout.write(`\n${textTable(['SESSION', 'CALLS', 'TOKENS', 'EST. COST'], rows, new Set([1]))}`);
    }
    return 0;
  } finally {
    await opened.close();
  }
}
