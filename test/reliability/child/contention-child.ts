import { appendFileSync } from 'node:fs';
import {
  type Clock,
  type CommitRequest,
  createBaton,
  type SessionRef,
  type SessionStore,
  silentLogger,
} from '@baton/core';
import { contentionAgent, stallingModel } from '../agent/contention-agent.js';
import { openStore, type StoreSpec } from '../support/store-spec.js';

/**
 * One of the processes of the contention scenario: submits its inputs to the shared session and
 * works the session like a queue worker until each of its run messages is done; a busy session is
 * tried again once the holder's lease would have expired. Every commit that succeeds is appended to
 * `commitLog`, so the parent can check that no two writers ever committed for one lease epoch.
 *
 * Usage: node contention-child.mjs '<ContentionChildConfig as JSON>'
 */
export interface ContentionChildConfig {
  store: StoreSpec;
  ref: SessionRef;
  name: string;
  inputs: string[];
  leaseMs: number;
  commitLog: string;
  /** Give up (and fail) after this long: a bound, never a wait. */
  maxMs: number;
}

export interface CommitRecord {
  process: string;
  expectedVersion: number | null;
  version: number;
  leaseEpoch: number;
  leaseOwner: string | null;
  events: { seq: number; kind: string }[];
}

const config = JSON.parse(process.argv[2] ?? '{}') as ContentionChildConfig;
const clock: Clock = { now: () => Date.now() };
const inner = await openStore(config.store, { clock });

function recording(store: SessionStore): SessionStore {
  return {
    name: store.name,
    limits: store.limits,
    load: (ref) => store.load(ref),
    readHead: (ref) => store.readHead(ref),
    readEvents: (ref, options) => store.readEvents(ref, options),
    getDedupe: (ref, key) => store.getDedupe(ref, key),
    list: (query) => store.list(query),
    listPending: (query) => store.listPending(query),
    delete: (ref) => store.delete(ref),
    async commit(request: CommitRequest) {
      await store.commit(request);
      const record: CommitRecord = {
        process: config.name,
        expectedVersion: request.expectedVersion,
        version: request.head.version,
        leaseEpoch: request.head.leaseEpoch,
        leaseOwner: request.head.lease?.owner ?? null,
        events: request.events.map((event) => ({ seq: event.seq, kind: event.kind })),
      };
      appendFileSync(config.commitLog, `${JSON.stringify(record)}\n`);
    },
  };
}

const stats = { runs: 0, busy: 0, fenced: 0, stalls: 0, takeovers: 0, errors: 0 };
const store = recording(inner);
const model = stallingModel({
  store: inner,
  ref: config.ref,
  // The second model call of every process, and every fifth after it, stalls.
  stallOn: (call) => call % 5 === 2,
  maxStallMs: config.leaseMs * 4 + 2_000,
  pauseMs: config.leaseMs * 2,
  onStall: (tookOver) => {
    stats.stalls++;
    if (tookOver) stats.takeovers++;
  },
});
const agent = contentionAgent({ leaseMs: config.leaseMs, model });
const baton = createBaton({
  store,
  agents: [agent],
  queue: { enqueue: async () => {} },
  clock,
  logger: silentLogger,
});

const until = Date.now() + config.maxMs;
const pending: string[] = [];
for (const text of config.inputs) {
  await baton.submit(config.ref, { text, source: 'contention', dedupeKey: text });
  pending.push(text);
}
// One run message per input, each handled until done, as a queue worker would.
while (pending.length > 0) {
  if (Date.now() > until) throw new Error(`${config.name}: messages not done within ${config.maxMs} ms`);
  try {
    const outcome = await baton.run(config.ref, {
      deadline: clock.now() + 60_000,
      owner: `${config.name}-${stats.runs}`,
    });
    stats.runs++;
    if (outcome.kind === 'busy') {
      stats.busy++;
      // The message comes back when the lease would have expired; look again sooner, in case it is released.
      await new Promise((resolve) =>
        setTimeout(resolve, Math.min(100, Math.max(5, outcome.retryAt - clock.now()))),
      );
      continue;
    }
    if (outcome.kind === 'fenced') {
      stats.fenced++;
      continue;
    }
    // A continuation's message would carry the run on; this worker carries it on itself.
    if (outcome.kind === 'continued') continue;
    pending.shift();
  } catch (error) {
    stats.errors++;
    if (stats.errors > 50) throw error;
  }
}
await inner.close?.();
process.stdout.write(`${JSON.stringify(stats)}\n`);
process.exit(0);
