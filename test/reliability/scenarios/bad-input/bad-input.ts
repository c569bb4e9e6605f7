import { SqsRunQueue } from '@baton/aws';
import type { SessionStore } from '@baton/core';
import { startSlackHarness } from '@baton/slack/testing';
import { expect } from 'vitest';
import { startSqsEmulator } from '../../../../packages/aws/src/test-support/sqs-emulator.js';
import { ExecutionCounter } from '../../agent/reliability-agent.js';
import { singleTurnAgent } from '../../agent/single-turn-agent.js';
import { type ResultRow, resultsTable } from '../../support/results-table.js';
import type { StoreSpec } from '../../support/store-spec.js';
import { runCorpus, sessionsState, snapshot } from './corpus.js';
import { corpusWorld } from './corpus-world.js';
import { httpCases } from './http-cases.js';
import { sqsCases, storageQueueCases } from './queue-cases.js';
import { recordCases } from './record-cases.js';
import {
  IDEMPOTENT_BODY,
  IDEMPOTENT_SESSION,
  REUSED_KEY,
  requestSafetyCases,
} from './request-safety-cases.js';
import { slackCases, slackReplayCase } from './slack-cases.js';

/**
 * Hostile input at every entry point of one process (the local HTTP server, the SQS worker, the
 * Storage Queue trigger, the Slack route) in front of one store: every case gets its specific
 * error, the store reads the same afterwards, and the process still serves.
 */
export async function hostileInputs(store: SessionStore): Promise<ResultRow> {
  const world = await corpusWorld(store, 'default', { localOnly: true });
  const sqs = await startSqsEmulator();
  const harness = await startSlackHarness({ agents: [singleTurnAgent(new ExecutionCounter())], store });
  try {
    const queue = await sqs.createQueue('corpus-runs');
    const dlq = await sqs.createQueue('corpus-dead-letters');
    // The worker's own enqueues (none are expected) would go to the emulator too.
    void new SqsRunQueue({ queueUrl: queue.url, client: sqs.client });
    // What the replay and reuse cases repeat: sent once, rightly, before the corpus.
    const replay = slackReplayCase(harness);
    await replay.prime();
    const first = await world.http('POST', `/sessions/${IDEMPOTENT_SESSION}/messages`, {
      headers: { 'content-type': 'application/json', 'idempotency-key': REUSED_KEY },
      body: IDEMPOTENT_BODY,
    });
    expect(first).toMatchObject({ status: 200 });
    const cases = [
      ...httpCases(world),
      ...requestSafetyCases(world),
      ...sqsCases(world.app, sqs, queue, dlq),
      ...storageQueueCases(world.app),
      ...slackCases(harness),
      replay.replay,
    ];
    const result = await runCorpus(
      cases,
      () => snapshot(store),
      async () => (await world.http('GET', '/healthz')).status === 200,
    );
    // And a plain message still gets its answer at the end.
    const fine = await world.http('POST', '/sessions/after-the-storm/messages', {
      headers: { 'content-type': 'application/json' },
      body: '{"text":"still there?"}',
    });
    const by = (entry: string) => cases.filter((one) => one.entry === entry).length;
    const row: ResultRow = {
      store: 'sqlite',
      scenario: 'bad input corpus',
      runs: result.cases,
      cases: result.cases,
      faults: result.cases,
      lost: 0,
      duplicates: 0,
      corrupted: result.stateChanges.length,
      note: `HTTP ${by('http')}, SQS ${by('sqs')}, Storage Queue ${by('storage-queue')}, Slack ${by('slack')}`,
    };
    resultsTable.add(row);
    expect(fine).toMatchObject({ status: 200 });
    expect(result.wrongAnswers).toEqual([]);
    expect(result.stoppedServing).toEqual([]);
    expect(result.stateChanges).toEqual([]);
    return row;
  } finally {
    await harness.api.close();
    await sqs.stop();
    await world.close();
  }
}

/** Records tampered with in one store, read over HTTP and from a queue. */
export async function tamperedRecords(spec: StoreSpec, store: SessionStore, run: string): Promise<ResultRow> {
  const tenant = `tampered-${spec.kind}-${run}`;
  const cases = await recordCases(spec, store, tenant);
  const refs = ['future-head', 'typed-head', 'bad-event', 'old-schema', 'unparsable-head'].map(
    (sessionId) => ({ tenant, sessionId }),
  );
  const result = await runCorpus(
    cases,
    () => sessionsState(store, refs),
    async () => (await store.readHead(refs[3]!)) !== null,
  );
  const row: ResultRow = {
    store: spec.kind,
    scenario: 'tampered store records',
    runs: result.cases,
    cases: result.cases,
    faults: result.cases,
    lost: 0,
    duplicates: 0,
    corrupted: result.stateChanges.length,
    note: 'future schema, wrong shapes, unparsable JSON, previous schema; over HTTP and from a queue',
  };
  resultsTable.add(row);
  expect(result.wrongAnswers).toEqual([]);
  expect(result.stateChanges).toEqual([]);
  expect(result.stoppedServing).toEqual([]);
  return row;
}
