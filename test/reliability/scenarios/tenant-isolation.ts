import { createHttpHandler as awsHttpHandler, createSqsWorker, DEFAULT_MAX_RECEIVES } from '@baton/aws';
import { createHttpHandler as azureHttpHandler, createRunQueueHandler } from '@baton/azure';
import { type HttpResponse, handleHttp, type SessionStore } from '@baton/core';
import { slackSessionRef } from '@baton/slack';
import { mentionBody, startSlackHarness } from '@baton/slack/testing';
import type { APIGatewayProxyStructuredResultV2, SQSBatchResponse } from 'aws-lambda';
import { expect } from 'vitest';
import { httpEvent } from '../../../packages/aws/src/test-support/fixtures.js';
import { lambdaContext } from '../../../packages/aws/src/test-support/lambda-context.js';
import { startSqsEmulator } from '../../../packages/aws/src/test-support/sqs-emulator.js';
import { fixtureRequest, invocationContext } from '../../../packages/azure/src/test-fixtures.js';
import { ExecutionCounter } from '../agent/reliability-agent.js';
import { singleTurnAgent } from '../agent/single-turn-agent.js';
import { type ResultRow, resultsTable } from '../support/results-table.js';
import { corpusWorld } from './bad-input/corpus-world.js';

/** Everything tenant A's session holds, to compare before and after tenant B's attempts. */
async function sessionState(store: SessionStore, tenant: string): Promise<string> {
  const ref = { tenant, sessionId: 'victim' };
  return JSON.stringify([
    await store.readHead(ref),
    await store.readEvents(ref),
    await store.getDedupe(ref, 'input:http:k-1'),
  ]);
}

/**
 * Tenant A's session "victim" (waiting for approval of call mail-ana) is asked for by tenant B
 * through every entry point: the store itself, core's routes, the Lambda and Azure HTTP handlers,
 * the SQS worker, the Storage Queue trigger and Slack. Each finds nothing, and A's session is
 * unchanged.
 */
export async function tenantIsolation(store: SessionStore, kind: string, run: string): Promise<ResultRow> {
  const a = `iso-a-${run}`;
  const b = `iso-b-${run}`;
  const world = await corpusWorld(store, a);
  const before = await sessionState(store, a);
  const victimB = { tenant: b, sessionId: 'victim' };
  const problems: string[] = [];
  let probes = 0;
  const probe = async (name: string, check: () => Promise<boolean>) => {
    probes++;
    try {
      if (!(await check())) problems.push(name);
    } catch (error) {
      problems.push(`${name}: threw ${(error as Error).message}`);
    }
  };
  const notFound = (response: { status?: number; statusCode?: number; body?: unknown }) =>
    (response.status ?? response.statusCode) === 404 &&
    JSON.stringify(response.body).includes('session_not_found');
  const core = (method: string, path: string, body?: string) =>
    handleHttp(
      world.baton,
      {
        method,
        path,
        query: new URLSearchParams(),
        headers: { 'x-baton-tenant': b, 'content-type': 'application/json' },
        body,
      },
      { deadline: Date.now() + 30_000 },
    );

  await probe('store.readHead', async () => (await store.readHead(victimB)) === null);
  await probe('store.load', async () => (await store.load(victimB)) === null);
  await probe('store.readEvents', async () => (await store.readEvents(victimB)).length === 0);
  await probe('store.getDedupe', async () => (await store.getDedupe(victimB, 'input:http:k-1')) === null);
  await probe('store.list', async () => (await store.list({ tenant: b })).sessions.length === 0);
  await probe('GET session', async () => notFound(await core('GET', '/sessions/victim')));
  await probe('GET events', async () => notFound(await core('GET', '/sessions/victim/events')));
  await probe('POST approval', async () =>
    notFound(await core('POST', '/sessions/victim/approvals/mail-ana', '{"approved":true}')),
  );
  await probe(
    'GET list',
    async () => ((await core('GET', '/sessions')).body.sessions as unknown[]).length === 0,
  );
  await probe('DELETE session', async () => (await core('DELETE', '/sessions/victim')).status === 200);
  await probe("POST message with A's Idempotency-Key", async () => {
    const response: HttpResponse = await handleHttp(
      world.baton,
      {
        method: 'POST',
        path: '/sessions/victim/messages',
        query: new URLSearchParams(),
        headers: { 'x-baton-tenant': b, 'content-type': 'application/json', 'idempotency-key': 'k-1' },
        body: '{"text":"i am tenant b"}',
      },
      { deadline: Date.now() + 30_000 },
    );
    // B gets a session of its own: its first input, not A's recorded answer.
    return response.body.inputSeq === 1 && response.body.duplicate === false;
  });
  await store.delete(victimB);

  const lambda = awsHttpHandler(world.app, { safetyMarginMs: 1_000 });
  await probe('Lambda HTTP handler', async () => {
    const event = httpEvent('http-api-v2', {
      method: 'GET',
      path: '/sessions/victim',
      headers: { 'x-baton-tenant': b },
      arrivedAt: world.baton.clock.now(),
    });
    const result = (await lambda(
      event,
      lambdaContext({ clock: world.baton.clock, budgetMs: 20_000 }),
    )) as APIGatewayProxyStructuredResultV2;
    return result.statusCode === 404 && String(result.body).includes('session_not_found');
  });
  const azure = azureHttpHandler(world.app, { timeoutMs: 60_000 });
  await probe('Azure HTTP handler', async () => {
    const request = fixtureRequest('get-session', {
      path: '/api/sessions/victim',
      headers: { 'x-baton-tenant': b },
    });
    const result = await azure(request, invocationContext());
    const body = Buffer.from(result.body as Uint8Array).toString('utf8');
    return result.status === 404 && body.includes('session_not_found');
  });

  const runMessage = { v: 1, tenant: b, sessionId: 'victim', reason: 'input', dedupeKey: 'iso' };
  const sqs = await startSqsEmulator();
  try {
    const queue = await sqs.createQueue(`iso-${kind}-${run}`);
    const worker = createSqsWorker(world.app, {
      maxAttempts: DEFAULT_MAX_RECEIVES,
      client: sqs.client,
      queueUrl: () => queue.url,
    });
    await probe('SQS worker', async () => {
      const record = {
        messageId: 'iso-1',
        receiptHandle: 'r',
        body: JSON.stringify(runMessage),
        attributes: {},
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: queue.arn,
        awsRegion: 'us-east-1',
      };
      const response = (await worker(
        { Records: [record as never] },
        lambdaContext({ clock: world.baton.clock, budgetMs: 20_000 }),
      )) as SQSBatchResponse;
      return response.batchItemFailures.length === 0 && (await store.readHead(victimB)) === null;
    });
  } finally {
    await sqs.stop();
  }
  const trigger = createRunQueueHandler(world.app, {
    queue: { enqueue: async () => {} },
    timeoutMs: 30_000,
    maxDequeueCount: 5,
  });
  await probe('Storage Queue trigger', async () => {
    await trigger(runMessage, invocationContext({ triggerMetadata: { id: 'iso-1', dequeueCount: 1 } }));
    return (await store.readHead(victimB)) === null;
  });

  // Slack: the same channel and thread in two workspaces are two sessions, one per tenant.
  const harness = await startSlackHarness({ agents: [singleTurnAgent(new ExecutionCounter())], store });
  try {
    const ts = '1767225600.000900';
    const teams = [`TA${run.toUpperCase()}`, `TB${run.toUpperCase()}`];
    for (const team of teams)
      await harness.request(mentionBody({ eventId: `Ev0${team}`, text: `hello from ${team}`, ts, team }));
    await probe('Slack workspaces', async () => {
      const [first, second] = await Promise.all(
        teams.map(async (team) =>
          store.readEvents(slackSessionRef({ teamId: team, channel: 'C0CHAN', thread: ts })),
        ),
      );
      return first?.length === 1 && second?.length === 1 && JSON.stringify(first) !== JSON.stringify(second);
    });
  } finally {
    await harness.api.close();
  }

  const changed = (await sessionState(store, a)) !== before;
  await world.close();
  const row: ResultRow = {
    store: kind,
    scenario: 'tenant isolation',
    runs: probes,
    cases: probes,
    faults: probes,
    lost: 0,
    duplicates: 0,
    corrupted: changed || problems.length > 0 ? 1 : 0,
    note: 'store, core routes, Lambda and Azure HTTP, SQS, Storage Queue, Slack',
  };
  resultsTable.add(row);
  expect(problems).toEqual([]);
  expect(changed).toBe(false);
  return row;
}
