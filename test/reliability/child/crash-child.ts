import { appendFileSync, writeFileSync } from 'node:fs';
import {
  type Baton,
  type Clock,
  type CommitRequest,
  createBaton,
  refKey,
  type SessionRef,
  type SessionStore,
  silentLogger,
} from '@baton/core';
import { reliabilityAgent } from '../agent/reliability-agent.js';
import { driveToEnd } from '../agent/session-driver.js';
import type { CrashChildConfig, CrashPlan, RunTrace } from '../support/crash-plan.js';
import { openStore, type StoreSpec } from '../support/store-spec.js';

/**
 * One process of the crash-anywhere scenario. It drives its sessions to the end of their run, unless
 * its crash plan kills it first: with SIGKILL, from inside a store call or a tool call, so no
 * cleanup, no finally block and no buffered write runs, exactly like a host that dies.
 *
 * Usage: node crash-child.mjs '<CrashChildConfig as JSON>'
 */
const config = JSON.parse(process.argv[2] ?? '{}') as CrashChildConfig;
const clock: Clock = { now: () => Date.now() + config.clockOffsetMs };
const trace: RunTrace = { commitCalls: 0, commits: [], tools: [] };

function die(): Promise<never> {
  process.kill(process.pid, 'SIGKILL');
  // SIGKILL cannot be caught; nothing after this line ever runs.
  return new Promise(() => {});
}

let commits = 0;

function crashing(inner: SessionStore, plan: CrashPlan): SessionStore {
  return {
    name: inner.name,
    limits: inner.limits,
    load: (ref) => inner.load(ref),
    readHead: (ref) => inner.readHead(ref),
    readEvents: (ref, options) => inner.readEvents(ref, options),
    getDedupe: (ref, key) => inner.getDedupe(ref, key),
    list: (query) => inner.list(query),
    listPending: (query) => inner.listPending(query),
    delete: (ref) => inner.delete(ref),
    close: async () => inner.close?.(),
    async commit(request: CommitRequest) {
      const n = ++commits;
      trace.commitCalls = n;
      const hit = plan.kind === 'commit' && plan.n === n;
      if (hit && plan.when === 'before') await die();
      await inner.commit(request);
      trace.commits.push({
        n: trace.commits.length + 1,
        events: request.events.map((event) => ({
          kind: event.kind,
          ...('callId' in event ? { callId: event.callId } : {}),
        })),
      });
      if (hit) await die();
    },
  };
}

const logs = new Map<string, string>(config.sessions.map((entry) => [refKey(entry.ref), entry.executionLog]));
const agent = reliabilityAgent({
  recorder: {
    record({ session, callId, tool }: { session: SessionRef; callId: string; tool: string }) {
      const log = logs.get(refKey(session));
      if (!log) throw new Error(`no execution log for ${refKey(session)}`);
      appendFileSync(log, `${callId} ${tool}\n`);
    },
  },
  hook({ callId, tool, ordinal }) {
    trace.tools.push({ n: ordinal, callId, tool, commitsBefore: trace.commits.length });
    if (config.plan.kind === 'tool' && config.plan.n === ordinal) void die();
  },
});

// One Baton per store; the crash plan counts commits across all of them.
const plan = config.plan;
const batons = new Map<string, Baton>();
async function batonFor(spec: StoreSpec): Promise<Baton> {
  const key = JSON.stringify(spec);
  let baton = batons.get(key);
  if (!baton) {
    const store = crashing(await openStore(spec, { clock }), plan);
    baton = createBaton({
      store,
      agents: [agent],
      queue: { enqueue: async () => {} },
      clock,
      logger: silentLogger,
    });
    batons.set(key, baton);
  }
  return baton;
}

const results = [];
for (const { ref, store } of config.sessions) {
  const driven = await driveToEnd(await batonFor(store ?? config.store), ref);
  results.push({ session: ref.sessionId, runs: driven.runs, outcomes: driven.outcomes });
}
if (config.traceFile) writeFileSync(config.traceFile, JSON.stringify(trace));
for (const baton of batons.values()) await baton.store.close?.();
process.stdout.write(`${JSON.stringify({ results })}\n`);
process.exit(0);
