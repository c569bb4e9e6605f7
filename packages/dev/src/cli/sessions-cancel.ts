import { createBaton, type Identity, SCOPES, type SessionRef, sessionRef, silentLogger } from '@baton/core';
import { parseCommand, STORE_HELP, STORE_OPTIONS, tenantOf } from './cli-args.js';
import { CliError, type CliIo } from './cli-io.js';
import { osUser, placeholderAgent, runQueueFor } from './sessions-decide.js';
import { openStore } from './store-selection.js';
import { terminalSafe } from './text-table.js';

const USAGE = `Usage: baton sessions cancel <id> [options]

Stops the session's current run: the model call is aborted, no further tool starts, and the run
ends with reason cancelled. Input sent after the cancel is answered as usual. A session with no
run (idle, failed) is left alone. The run notices within a second (agent timing cancelCheckMs)
wherever it runs; with --api on the process that runs it, at once.

The canceller is recorded as cli:<your OS user name>.

Options:
  --reason TEXT   why (recorded with the cancel)
  --api URL       post to this deployment's cancel route (bearer token: BATON_API_TOKEN)
  -h, --help

${STORE_HELP}`;

/**
 * `baton sessions cancel`: records the cancel the way the HTTP API does (Baton.cancel).
 *
 * @example
 * await sessionsCancel(io, ['chat-1', '--reason', 'wrong question']);
 */
export async function sessionsCancel(io: CliIo, argv: string[]): Promise<number> {
  const parsed = parseCommand(io, argv, {
    usage: USAGE,
    options: { ...STORE_OPTIONS, reason: { type: 'string' }, api: { type: 'string' } },
    positionals: [1, 1],
  });
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  const ref = sessionRef(tenantOf(values), positionals[0]);
  if (values.api) return cancelThroughApi(io, values.api, ref, values.reason);
  const identity: Identity = { tenant: ref.tenant, user: `cli:${osUser()}`, scopes: SCOPES, via: 'cli' };
  const opened = await openStore(values, io);
  try {
    const head = await opened.store.readHead(ref);
    if (!head)
      throw new CliError(`no session ${ref.sessionId} in tenant ${ref.tenant} (${opened.description})`);
    const queue = runQueueFor(opened);
    try {
      // Recording a cancel runs no agent: a stand-in of the session's agent name is enough.
      const baton = createBaton({
        store: opened.store,
        agents: [placeholderAgent(head.agent)],
        queue,
        logger: silentLogger,
      });
      const result = await baton.cancel(ref, {
        identity,
        ...(values.reason ? { reason: values.reason } : {}),
      });
      const id = terminalSafe(ref.sessionId);
      if (!result.cancelled) {
        io.stdout.write(`nothing to cancel: ${id} is ${result.status}\n`);
        return 0;
      }
      io.stdout.write(
        `${result.duplicate ? 'already cancelled' : 'cancelled'} ${id} (event ${result.seq})\n`,
      );
      return 0;
    } finally {
      queue.close?.();
    }
  } finally {
    await opened.close();
  }
}

async function cancelThroughApi(
  io: CliIo,
  api: string,
  ref: SessionRef,
  reason: string | undefined,
): Promise<number> {
  const url = `${api.replace(/\/+$/, '')}/sessions/${encodeURIComponent(ref.sessionId)}/cancel`;
  const token = io.env.BATON_API_TOKEN;
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-baton-tenant': ref.tenant,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(reason ? { reason } : {}),
  });
  const text = await response.text();
  if (!response.ok) throw new CliError(`${url} answered ${response.status}: ${terminalSafe(text.trim())}`);
  const body = JSON.parse(text) as { cancelled?: boolean; status?: string };
  const id = terminalSafe(ref.sessionId);
  io.stdout.write(
    body.cancelled
      ? `cancelled ${id} through ${url}\n`
      : `nothing to cancel: ${id} is ${terminalSafe(String(body.status))}\n`,
  );
  return 0;
}
