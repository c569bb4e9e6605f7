import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import {
  type Agent,
  type BatonDefinition,
  createBaton,
  defineAgent,
  type Identity,
  type Model,
  type RunMessage,
  type RunQueue,
  SCOPES,
  type SessionRef,
  sessionRef,
  silentLogger,
  systemClock,
} from '@baton/core';
import { SqliteRunQueue } from '../local-queue.js';
import { CONFIG_NAMES, loadDefinition } from '../project/config-file.js';
import { parseCommand, STORE_HELP, STORE_OPTIONS, tenantOf } from './cli-args.js';
import { CliError, type CliIo } from './cli-io.js';
import { type OpenedStore, openStore } from './store-selection.js';
import { terminalSafe } from './text-table.js';

const usage = (verb: 'approve' | 'reject') => `Usage: baton sessions ${verb} <id> <callId> [options]

${verb === 'approve' ? 'Approves' : 'Rejects'} a tool call that waits for approval; the run then resumes.
On SQLite the run is queued for \`baton serve\`. On DynamoDB or Cosmos DB the decision is recorded
and the deployment's sweeper resumes the run; with --api it goes through the deployment's HTTP
API instead, which resumes the run at once.

The decider is cli:<your OS user name> with every scope, checked against the approver policy
of the agent and tool in ./baton.config.ts (and SLACK_APPROVERS for a Slack session, when the
environment configures Slack), as every other way of deciding is.

Options:
  --reason TEXT   why (recorded with the decision, shown to the model on a rejection)
  --api URL       post to this deployment's approval route (bearer token: BATON_API_TOKEN)
  -h, --help

${STORE_HELP}`;

/** `baton sessions approve|reject`: records the decision the same way the HTTP API does (Baton.decide). */
export async function sessionsDecide(io: CliIo, argv: string[], verb: 'approve' | 'reject'): Promise<number> {
  const parsed = parseCommand(io, argv, {
    usage: usage(verb),
    options: {
      ...STORE_OPTIONS,
      reason: { type: 'string' },
      api: { type: 'string' },
    },
    positionals: [2, 2],
  });
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  const ref = sessionRef(tenantOf(values), positionals[0]);
  const callId = positionals[1]!;
  const approved = verb === 'approve';
  // The operator at the terminal already holds the store's credentials: every scope, but the
  // approver policy still decides, so `users` lists can name `cli:<user>` or leave it out.
  const identity: Identity = { tenant: ref.tenant, user: `cli:${osUser()}`, scopes: SCOPES, via: 'cli' };
  if (values.api) return decideThroughApi(io, values.api, ref, callId, approved, values.reason);
  const opened = await openStore(values, io);
  try {
    const head = await opened.store.readHead(ref);
    if (!head)
      throw new CliError(`no session ${ref.sessionId} in tenant ${ref.tenant} (${opened.description})`);
    const queue = runQueueFor(opened);
    try {
      const definition = await projectDefinition(io);
      const agents = definition?.config.agents ?? [];
      const baton = createBaton({
        store: opened.store,
        agents: agents.some((agent) => agent.name === head.agent)
          ? [...agents]
          : [...agents, placeholderAgent(head.agent)],
        queue,
        logger: silentLogger,
      });
      // Channels register their approver policies (SLACK_APPROVERS) on the Baton they are built with.
      for (const channel of definition?.config.channels ?? [])
        channel({ baton, env: io.env, logger: silentLogger });
      const result = await baton.decide(ref, {
        callId,
        approved,
        identity,
        ...(values.reason ? { reason: values.reason } : {}),
      });
      const what = `${approved ? 'approved' : 'rejected'} ${terminalSafe(callId)} of ${terminalSafe(ref.sessionId)}`;
      io.stdout.write(`${result.duplicate ? `already ${what}` : what}\n`);
      io.stderr.write(
        opened.kind === 'sqlite'
          ? `the run is queued in ${opened.sqlitePath}; \`baton serve\` resumes it\n`
          : "the deployment's sweeper resumes the run (use --api to resume it at once)\n",
      );
      return 0;
    } finally {
      queue.close?.();
    }
  } finally {
    await opened.close();
  }
}

/** The OS account running the CLI; USER / USERNAME are only a fallback, being easy to set. */
export function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}

/**
 * The project's definition when the folder has one: its agents' and tools' approver policies and
 * its channels' apply here as in the deployment. Without one, only the default policy applies.
 */
async function projectDefinition(io: CliIo): Promise<BatonDefinition | undefined> {
  const config = CONFIG_NAMES.map((name) => join(io.cwd, name)).find((path) => existsSync(path));
  return config ? loadDefinition(config) : undefined;
}

/**
 * Baton.decide checks that the call waits for approval using the log alone; it needs an agent of
 * the session's name but never runs it, so the CLI works without the deployment's agent code
 * (then only the default approver policy applies).
 */
export function placeholderAgent(name: string): Agent {
  const model: Model = {
    provider: 'none',
    modelId: 'none',
    generate: () => Promise.reject(new Error('the baton CLI records decisions; it does not run agents')),
  };
  return defineAgent({ name, instructions: '', model });
}

/** SQLite: the local run queue in the same file, which `baton serve` drains. Elsewhere: none. */
export function runQueueFor(opened: OpenedStore): RunQueue & { close?(): void } {
  if (opened.kind === 'sqlite' && opened.sqlitePath)
    return new SqliteRunQueue(opened.sqlitePath, systemClock);
  return { enqueue: async (_message: RunMessage) => {} };
}

async function decideThroughApi(
  io: CliIo,
  api: string,
  ref: SessionRef,
  callId: string,
  approved: boolean,
  reason: string | undefined,
): Promise<number> {
  const url = `${api.replace(/\/+$/, '')}/sessions/${encodeURIComponent(ref.sessionId)}/approvals/${encodeURIComponent(callId)}`;
  const token = io.env.BATON_API_TOKEN;
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-baton-tenant': ref.tenant,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(reason ? { approved, reason } : { approved }),
  });
  const text = await response.text();
  if (!response.ok) throw new CliError(`${url} answered ${response.status}: ${terminalSafe(text.trim())}`);
  io.stdout.write(
    `${approved ? 'approved' : 'rejected'} ${terminalSafe(callId)} of ${terminalSafe(ref.sessionId)} through ${url}\n`,
  );
  return 0;
}
