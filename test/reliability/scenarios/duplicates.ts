import { createSqsWorker, DEFAULT_MAX_RECEIVES, SqsRunQueue } from '@baton/aws';
import { createRunQueueHandler } from '@baton/azure';
import {
  type BatonApp,
  createBatonApp,
  defineBaton,
  type HttpResponse,
  handleHttp,
  type RunMessage,
  type RunQueue,
  type SessionRef,
  type SessionStore,
  silentLogger,
} from '@baton/core';
import { slackSessionRef } from '@baton/slack';
import { mentionBody, startSlackHarness } from '@baton/slack/testing';
import type { SQSBatchResponse } from 'aws-lambda';
import { expect } from 'vitest';
import { lambdaContext } from '../../../packages/aws/src/test-support/lambda-context.js';
import { startSqsEmulator } from '../../../packages/aws/src/test-support/sqs-emulator.js';
import { invocationContext } from '../../../packages/azure/src/test-fixtures.js';
import { ExecutionCounter } from '../agent/reliability-agent.js';
import { singleTurnAgent } from '../agent/single-turn-agent.js';
import { type ResultRow, resultsTable } from '../support/results-table.js';
import { auditSession } from '../support/transcript.js';

const clock = { now: () => Date.now() };
const later = () => clock.now() + 60_000;

interface TriggerOutcome {
  trigger: string;
  deliveries: number;
  ref: SessionRef;
}

/** What one trigger's duplicates left on the session: one input, one charge, one sound run. */
async function effects(store: SessionStore, counter: ExecutionCounter, outcome: TriggerOutcome) {
  const head = await store.readHead(outcome.ref);
  const events = await store.readEvents(outcome.ref);
  const audit = auditSession(head, events);
  const inputs = events.filter((event) => event.kind === 'input').length;
  const charges = counter.executions.filter(
    (execution) => execution.session.sessionId === outcome.ref.sessionId && execution.tool === 'charge',
  ).length;
  return {
    lost: audit.lost + (inputs === 0 ? 1 : 0),
    duplicates: audit.duplicates + Math.max(0, charges - 1),
    problems: [...audit.problems, ...(charges === 1 ? [] : [`${outcome.trigger}: charged ${charges} times`])],
  };
}

function appOn(store: SessionStore, counter: ExecutionCounter, queue: RunQueue): BatonApp {
  return createBatonApp(defineBaton({ agents: [singleTurnAgent(counter)] }), {
    store,
    queue,
    clock,
    logger: silentLogger,
    env: {},
  });
}

const idle: RunQueue = { enqueue: async () => {} };

/** HTTP with an Idempotency-Key through core's routes: two deliveries at once, then two retries. */
async function httpDuplicates(store: SessionStore, counter: ExecutionCounter, tenant: string) {
  const { baton } = appOn(store, counter, idle);
  const ref = { tenant, sessionId: 'http' };
  const post = () =>
    handleHttp(
      baton,
      {
        method: 'POST',
        path: '/sessions/http/messages',
        query: new URLSearchParams(),
        headers: { 'content-type': 'application/json', 'idempotency-key': 'pay-1', 'x-baton-tenant': tenant },
        body: JSON.stringify({ text: 'pay the invoice' }),
      },
      { deadline: later() },
    );
  const answers: HttpResponse[] = [...(await Promise.all([post(), post()])), await post(), await post()];
  const bodies = answers.map(
    (answer) => answer.body as { inputSeq: number; state: string; reply: string | null },
  );
  expect(bodies.map((body) => body.inputSeq)).toEqual([1, 1, 1, 1]);
  expect(
    answers.filter((answer) => (answer.body as { duplicate: boolean }).duplicate === false),
  ).toHaveLength(1);
  const finished = bodies.filter((body) => body.state === 'finished');
  // A duplicate that arrives while the first is still running is told to poll (202); every
  // finished answer, and every retry after the run, carries the same reply.
  expect(new Set(finished.map((body) => body.reply)).size).toBe(1);
  expect(bodies.slice(2).every((body) => body.state === 'finished')).toBe(true);
  return { trigger: 'http', deliveries: 4, ref };
}

/** One SQS message (one messageId) delivered four times, two of them at once, through the worker. */
async function sqsDuplicates(store: SessionStore, counter: ExecutionCounter, tenant: string) {
  const sqs = await startSqsEmulator();
  try {
    const queue = await sqs.createQueue(`dup-${tenant.replace(/[^A-Za-z0-9-]/g, '-')}`);
    const runQueue = new SqsRunQueue({ queueUrl: queue.url, client: sqs.client, clock });
    const app = appOn(store, counter, runQueue);
    const { baton } = app;
    const worker = createSqsWorker(app, {
      maxAttempts: DEFAULT_MAX_RECEIVES,
      client: sqs.client,
      queueUrl: () => queue.url,
      safetyMarginMs: 1_000,
    });
    const ref = { tenant, sessionId: 'sqs' };
    await baton.submit(ref, { text: 'pay by queue', source: 'sqs' });
    const event = await sqs.receiveEvent(queue);
    expect(event.Records).toHaveLength(1);
    const deliver = async () =>
      (await worker(event, lambdaContext({ clock, budgetMs: 60_000 }))) as SQSBatchResponse;
    const first = await Promise.all([deliver(), deliver()]);
    const retries = [await deliver(), await deliver()];
    // None is reported failed: a delivery that finds the session busy re-sends a delayed copy and
    // lets the original go, so the wait does not use up one of the queue's receives.
    for (const answer of [...first, ...retries]) expect(answer).toEqual({ batchItemFailures: [] });
    return { trigger: 'sqs', deliveries: 4, ref };
  } finally {
    await sqs.stop();
  }
}

/** One Storage Queue message (one message id) delivered four times, two at once, through the trigger handler. */
async function storageQueueDuplicates(store: SessionStore, counter: ExecutionCounter, tenant: string) {
  const sent: RunMessage[] = [];
  const queue: RunQueue = {
    enqueue: async (message) => {
      sent.push(message);
    },
  };
  const app = appOn(store, counter, queue);
  const { baton } = app;
  const handler = createRunQueueHandler(app, { queue, timeoutMs: 60_000, maxDequeueCount: 5 });
  const ref = { tenant, sessionId: 'storage-queue' };
  await baton.submit(ref, { text: 'pay by storage queue', source: 'queue' });
  const message = sent[0]!;
  const deliver = (dequeueCount: number) =>
    handler(message, invocationContext({ triggerMetadata: { id: 'msg-0001', dequeueCount } }));
  // Resolving completes the message; a busy session gets a delayed copy, delivered here as well.
  await Promise.all([deliver(1), deliver(1)]);
  await deliver(2);
  await deliver(3);
  for (const copy of sent.slice(1))
    await handler(copy, invocationContext({ triggerMetadata: { id: 'msg-0002', dequeueCount: 1 } }));
  return { trigger: 'storage queue', deliveries: 4 + sent.length - 1, ref };
}

/** One Slack event (one event_id) delivered four times (retries 1-3), two at once, then the queue drained. */
async function slackDuplicates(store: SessionStore, counter: ExecutionCounter, team: string) {
  const harness = await startSlackHarness({ agents: [singleTurnAgent(counter)], store });
  try {
    const ts = '1767225600.000100';
    const body = mentionBody({ eventId: 'Ev0DUPLICATE', text: 'pay via slack', ts, team });
    const answers = [
      ...(await Promise.all([harness.request(body), harness.request(body, { retryNum: 1 })])),
      await harness.request(body, { retryNum: 2 }),
      await harness.request(body, { retryNum: 3 }),
    ];
    for (const answer of answers) expect(answer).toMatchObject({ status: 200 });
    await harness.drain();
    const posted = harness.api.callsTo('chat.postMessage');
    expect(posted).toHaveLength(1);
    const thread = harness.api.thread('C0CHAN', ts);
    expect(thread.map((message) => message.text)).toEqual(['Charged 100 for "pay via slack".']);
    return {
      trigger: 'slack',
      deliveries: 4,
      ref: slackSessionRef({ teamId: team, channel: 'C0CHAN', thread: ts }),
    };
  } finally {
    await harness.api.close();
  }
}

/**
 * Every trigger type delivered up to four times, some at once, on one store: one input, one charge
 * and one answer each.
 */
export async function duplicates(store: SessionStore, kind: string, run: string): Promise<ResultRow> {
  const counter = new ExecutionCounter();
  const tenant = `dup-${kind}-${run}`;
  const outcomes = [
    await httpDuplicates(store, counter, tenant),
    await sqsDuplicates(store, counter, tenant),
    await storageQueueDuplicates(store, counter, tenant),
    await slackDuplicates(store, counter, `T${kind.toUpperCase()}${run.toUpperCase()}`),
  ];
  const row: ResultRow = {
    store: kind,
    scenario: 'duplicate deliveries',
    runs: outcomes.reduce((sum, outcome) => sum + outcome.deliveries, 0),
    cases: outcomes.length,
    faults: outcomes.reduce((sum, outcome) => sum + outcome.deliveries - 1, 0),
    lost: 0,
    duplicates: 0,
    corrupted: 0,
    note: outcomes.map((outcome) => `${outcome.trigger} x${outcome.deliveries}`).join(', '),
  };
  const problems: string[] = [];
  for (const outcome of outcomes) {
    const found = await effects(store, counter, outcome);
    row.lost += found.lost;
    row.duplicates += found.duplicates;
    if (found.problems.length > 0) row.corrupted++;
    problems.push(...found.problems.map((problem) => `${outcome.trigger}: ${problem}`));
  }
  resultsTable.add(row);
  expect(problems).toEqual([]);
  return row;
}
