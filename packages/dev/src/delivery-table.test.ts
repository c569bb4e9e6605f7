import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBatonApp, type SessionRef, silentLogger } from '@baton/core';
import { SqliteStore } from '@baton/store-sqlite';
import {
  DELIVERY_CASES,
  type DeliveryCase,
  deliveryTableApp,
  expectDisposition,
  ManualClock,
  type ObservedDisposition,
  observedSession,
  SwitchableModel,
} from '@baton/testing';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SqliteRunQueue } from './local-queue.js';
import { LocalWorker } from './local-worker.js';

const MAX_ATTEMPTS = 5;

/**
 * The delivery decision table through the local host's real trigger: the case's message is put in
 * the SQLite run queue as a message on its `attempt`-th delivery, the LocalWorker receives it and
 * hands it to `app.deliver`, and what happened to it is read back from the queue's tables. The
 * clock is manual, so a message the worker puts back stays hidden: nothing is delivered twice.
 */
describe('the local worker on the delivery table', () => {
  for (const [index, testCase] of DELIVERY_CASES.entries()) {
    it(testCase.name, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'baton-delivery-'));
      try {
        await runCase(testCase, join(dir, 'baton.db'), { tenant: 'acme', sessionId: `delivery-${index}` });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

async function runCase(testCase: DeliveryCase, dbPath: string, ref: SessionRef): Promise<void> {
  const clock = new ManualClock(1_700_000_000_000);
  const model = new SwitchableModel();
  const store = new SqliteStore({ path: dbPath });
  const queue = new SqliteRunQueue(dbPath, clock);
  // What the app enqueues itself (the input's own message) would be further deliveries the case
  // does not describe: the app gets a queue of its own, the worker's holds the case's message only.
  const app = createBatonApp(deliveryTableApp(model), {
    store,
    queue: { enqueue: async () => {} },
    clock,
    logger: silentLogger,
    env: {},
  });
  const worker = new LocalWorker(
    app,
    queue,
    { runBudgetMs: 60_000, maxReceives: MAX_ATTEMPTS },
    silentLogger,
  );
  const tables = new Database(dbPath);
  try {
    const { body, attempt } = await testCase.arrange(
      { baton: app.baton, model, maxAttempts: MAX_ATTEMPTS },
      ref,
    );
    // As if delivered attempt - 1 times already: the worker's receive is the attempt-th.
    tables
      .prepare(
        `INSERT INTO run_queue (dedupe_key, body, visible_at, receive_count, enqueued_at) VALUES (?, ?, ?, ?, ?)`,
      )
      .run(
        'case',
        typeof body === 'string' ? body : JSON.stringify(body),
        clock.now(),
        attempt - 1,
        clock.now(),
      );
    worker.start();
    await worker.whenIdle();
    await worker.stop();
    expectDisposition(observe(tables, clock.now(), attempt), testCase.expected);
    expect(await observedSession(app.baton, ref)).toEqual(testCase.session);
  } finally {
    await worker.stop();
    tables.close();
    queue.close();
    await store.close?.();
  }
}

/** What the worker did with the message, read from the queue's tables. */
function observe(tables: Database.Database, now: number, attempt: number): ObservedDisposition {
  const pending = tables.prepare('SELECT visible_at, receive_count FROM run_queue').all() as {
    visible_at: number;
    receive_count: number;
  }[];
  const dead = tables.prepare('SELECT reason, receive_count FROM run_dead_letters').all() as {
    reason: string;
    receive_count: number;
  }[];
  expect(pending.length + dead.length).toBeLessThanOrEqual(1);
  const [row] = pending;
  if (row) {
    // Either this receive counted or it was taken back; nothing else may touch the count.
    expect([attempt, attempt - 1]).toContain(row.receive_count);
    return { action: 'retry', consumesAttempt: row.receive_count === attempt, delayMs: row.visible_at - now };
  }
  const [letter] = dead;
  if (letter) return { action: 'dead_letter', code: letter.reason.slice(0, letter.reason.indexOf(':')) };
  return { action: 'done' };
}
