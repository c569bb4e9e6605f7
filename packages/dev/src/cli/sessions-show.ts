import {
  formatCost,
  formatCount,
  formatTime,
  formatUsage,
  formatUsd,
  readLog,
  SessionDigest,
  statusLabel,
} from '@baton/console';
import { type PriceTable, type SessionEvent, sessionRef } from '@baton/core';
import { intFlag, parseCommand, STORE_HELP, STORE_OPTIONS, tenantOf } from './cli-args.js';
import { CliError, type CliIo } from './cli-io.js';
import { openStore } from './store-selection.js';
import { terminalSafe } from './text-table.js';
import { conversationText, timelineText } from './transcript-text.js';

const USAGE = `Usage: baton sessions show <id> [options]

A session in the terminal: status, tokens and estimated cost, tool state, pending approvals, the
conversation and the timeline of steps (model calls, tool calls, approvals, continuations).

Options:
  --last N     only the last N events in the conversation and the timeline
  --json       the head, the cost and the pending approvals as JSON
  -h, --help

${STORE_HELP}`;

export async function sessionsShow(io: CliIo, argv: string[], prices: PriceTable): Promise<number> {
  const parsed = parseCommand(io, argv, {
    usage: USAGE,
    options: { ...STORE_OPTIONS, last: { type: 'string' }, json: { type: 'boolean' } },
    positionals: [1, 1],
  });
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  const ref = sessionRef(tenantOf(values), positionals[0]);
  const last = intFlag(values.last, 'last', Number.POSITIVE_INFINITY, 1);
  const opened = await openStore(values, io);
  try {
    const head = await opened.store.readHead(ref);
    if (!head)
      throw new CliError(`no session ${ref.sessionId} in tenant ${ref.tenant} (${opened.description})`);
    const digest = new SessionDigest(prices);
    let shown: SessionEvent[] = [];
    for await (const events of readLog(opened.store, ref, { throughSeq: head.seq })) {
      digest.add(events);
      shown.push(...events);
      if (shown.length > last) shown = shown.slice(-last);
    }
    const approvals = digest.approvals(head.status);
    if (values.json) {
      io.stdout.write(
        `${JSON.stringify({ head, cost: digest.cost, pendingApprovals: approvals }, null, 2)}\n`,
      );
      return 0;
    }
    const out: string[] = [];
    out.push(
      `Session ${terminalSafe(head.sessionId)} · tenant ${terminalSafe(head.tenant)} · agent ${terminalSafe(head.agent)}`,
    );
    out.push(
      `Status ${statusLabel(head.status)} · ${formatCount(head.seq)} events · created ${formatTime(head.createdAt)} · updated ${formatTime(head.updatedAt)}`,
    );
    if (head.lease)
      out.push(`Lease held by ${terminalSafe(head.lease.owner)} until ${formatTime(head.lease.expiresAt)}`);
    out.push(`Tokens ${formatUsage(head.usage)} · estimated cost ${formatCost(digest.cost)}`);
    for (const entry of digest.cost.byModel) {
      out.push(
        `  ${terminalSafe(entry.model)}: ${entry.calls} call(s), ${formatUsage(entry.usage)}, ${entry.usd === null ? 'no price' : formatUsd(entry.usd)}`,
      );
    }
    out.push(`Tool state ${terminalSafe(JSON.stringify(head.toolState))}`);
    if (approvals.length > 0) {
      out.push('', 'Waiting for approval:');
      for (const approval of approvals) {
        out.push(
          `  ${terminalSafe(approval.callId)}  ${terminalSafe(approval.tool)}  ${terminalSafe(approval.arguments)}`,
        );
        if (approval.unknownOutcome) out.push('    started once, outcome unknown: approving runs it again');
        out.push(
          `    baton sessions approve ${shellWord(head.sessionId)} ${shellWord(approval.callId)}   (or reject, with --reason)`,
        );
      }
    }
    const conversation = shown.map(conversationText).filter((text): text is string => text !== null);
    const earlier = head.seq - shown.length;
    out.push('', earlier > 0 ? `Conversation (events after #${earlier}):` : 'Conversation:');
    out.push(
      ...(conversation.length > 0
        ? conversation.map((text) => `  ${text.split('\n').join('\n  ')}`)
        : ['  (none)']),
    );
    out.push('', 'Timeline:');
    out.push(...shown.map((event) => timelineText(event, digest.calls)));
    io.stdout.write(`${out.join('\n')}\n`);
    return 0;
  } finally {
    await opened.close();
  }
}

/** An argument the user can paste back into a shell. */
function shellWord(text: string): string {
  return /^[\w.:@%+=-]+$/.test(text) ? text : `'${terminalSafe(text).replaceAll("'", "'\\''")}'`;
}
