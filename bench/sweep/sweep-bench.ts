import { createBatonApp, defineAgent, defineBaton, silentLogger } from '@baton/core';
import { countingStore } from '@baton/testing';
import { int, table } from '../format.js';
import type { Endpoints } from '../harness.js';
import type { ReadCounts, SweepFixture, SweepStoreKind } from './sweep-stores.js';

/**
 * Issue 16 item 11: what one sweep reads with a few sessions that have pending work among more and
 * more idle ones. Counts only, never time: the store's read calls, its requests to the service and
 * the heads it read. Beside them, what listing every running and waiting session by status (the
 * sweep before the pending index, and still the console's status filter) reads on the same data.
 */

export const IDLE_COUNTS = [100, 1_000, 10_000] as const;
export const PENDING_SESSIONS = 10;
/** Older than the sweep's idle window, so every pending session is due. */
const STALLED_FOR_MS = 10 * 60_000;

export interface SweepRow {
  store: string;
  idle: number;
  pending: number;
  enqueued: number;
  sweep: ReadCounts;
  byStatus: ReadCounts;
}

/** Runs one sweep through the app, as the scheduled sweeper does, and counts its reads. */
export async function measureSweep(fixture: SweepFixture): Promise<{ enqueued: number; reads: ReadCounts }> {
  const counting = countingStore(fixture.store);
  let enqueued = 0;
  const app = createBatonApp(
    defineBaton({
      agents: [defineAgent({ name: 'bench', instructions: 'Sweep benchmark.', model: 'offline' })],
    }),
    {
      store: counting.store,
      queue: { enqueue: async () => void enqueued++ },
      logger: silentLogger,
      env: {},
    },
  );
  const before = fixture.counters();
  const swept = await app.sweep({ idleForMs: 60_000 });
  const after = fixture.counters();
  if (swept !== enqueued) throw new Error(`the sweep reported ${swept} runs but enqueued ${enqueued}`);
  return {
    enqueued,
    reads: {
      calls: counting.counts.reads,
      requests: after.requests - before.requests,
      items: after.items - before.items,
    },
  };
}

/** Every running and waiting session listed by status across tenants, 100 a page. */
export async function measureListByStatus(fixture: SweepFixture): Promise<ReadCounts> {
  const before = fixture.counters();
  let calls = 0;
  for (const status of ['running', 'waiting_approval'] as const) {
    let cursor: string | undefined;
    do {
      const page = await fixture.store.list({ status, limit: 100, ...(cursor ? { cursor } : {}) });
      calls++;
      cursor = page.cursor;
    } while (cursor);
  }
  const after = fixture.counters();
  return { calls, requests: after.requests - before.requests, items: after.items - before.items };
}

/** One store: PENDING_SESSIONS stalled sessions, then idle ones added up to each of `idleCounts`. */
export async function sweepScaling(
  kind: SweepStoreKind,
  endpoints: Endpoints,
  options: {
    idleCounts?: readonly number[];
    pending?: number;
    byStatus?: boolean;
    log?: (line: string) => void;
  } = {},
): Promise<SweepRow[]> {
  const pending = options.pending ?? PENDING_SESSIONS;
  const fixture = await kind.open(endpoints);
  const rows: SweepRow[] = [];
  try {
    await fixture.addPending(pending, STALLED_FOR_MS);
    let idle = 0;
    for (const target of options.idleCounts ?? IDLE_COUNTS) {
      await fixture.addIdle(target - idle);
      idle = target;
      const { enqueued, reads } = await measureSweep(fixture);
      const byStatus =
        options.byStatus === false ? { calls: 0, requests: 0, items: 0 } : await measureListByStatus(fixture);
      rows.push({ store: kind.label, idle, pending, enqueued, sweep: reads, byStatus });
      options.log?.(
        `bench: sweep on ${kind.label} with ${int(idle)} idle: ${reads.requests} requests, ${reads.items} heads read`,
      );
    }
  } finally {
    await fixture.close();
  }
  return rows;
}

export function sweepReport(rows: SweepRow[]): string[] {
  if (rows.length === 0) return [];
  const body = rows.map((row) => [
    row.store,
    int(row.idle),
    `${row.enqueued} of ${row.pending}`,
    int(row.sweep.calls),
    int(row.sweep.requests),
    int(row.sweep.items),
    int(row.byStatus.requests),
  ]);
  return [
    '### Store reads of one sweep',
    '',
    `${PENDING_SESSIONS} running sessions whose run message was lost, among idle ones. The sweep reads the store's`,
    'pending index (listPending): store calls, requests to the service (statements on SQLite; on DynamoDB one',
    'Query per shard of the sparse index) and heads read. The last column lists every running and waiting',
    'session by status instead, as the sweep did before the index: on DynamoDB a Scan of the tenant index',
    'that reads every head however few match.',
    '',
    ...table(
      ['store', 'idle sessions', 're-enqueued', 'calls', 'requests', 'heads read', 'by status: requests'],
      body,
    ),
  ];
}
