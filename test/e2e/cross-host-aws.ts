import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteMessageBatchCommand } from '@aws-sdk/client-sqs';
import { createLambdaHandlers, SqsRunQueue } from '@baton/aws';
import { defineBaton, type RunMessage, type SessionEvent, type SessionView, silentLogger } from '@baton/core';
import { createExampleAgent } from '@baton/example-agent';
import { createTable, DynamoStore } from '@baton/store-dynamodb';
import { ManualClock } from '@baton/testing';
import type { APIGatewayProxyStructuredResultV2, SQSBatchResponse } from 'aws-lambda';
import { type HttpEventChanges, httpEvent } from '../../packages/aws/src/test-support/fixtures.js';
import { lambdaContext } from '../../packages/aws/src/test-support/lambda-context.js';
import type { SqsEmulator } from '../../packages/aws/src/test-support/sqs-emulator.js';
import {
  APPROVAL_REASON,
  APPROVER,
  CALLER_AUTH,
  conversationModel,
  type HostRun,
  IDEMPOTENCY_KEY,
  MESSAGE,
  modelRequests,
  SESSION_ID,
} from './cross-host-conversation.js';
import { CLOUD, MAX_WORKER_INVOCATIONS } from './cross-host-timing.js';

/**
 * The conversation on Lambda: the HTTP handler (API Gateway HTTP API events) starts the run with
 * a short remaining time, the SQS worker handles what the run queue sent to fauxqs, one Lambda
 * invocation per receive, each with a short remaining time (see cross-host-timing.ts); sessions in
 * DynamoDB Local. The
 * handlers are built by createLambdaHandlers, as the deployed entry builds them, with the
 * deployed safety margins; only the clock, the emulators and the budgets are the test's.
 */
export async function runOnAws(sqs: SqsEmulator, dynamodb: DynamoDBClient): Promise<HostRun> {
  const clock = new ManualClock();
  const model = conversationModel(() => clock.advance(CLOUD.modelCallTakesMs));
  const tableName = `baton-cross-host-${randomUUID()}`;
  await createTable(dynamodb, tableName, { timeToLive: false });
  const queue = await sqs.createQueue(`cross-host-${randomUUID()}`);
  try {
    const definition = defineBaton({
      agents: [createExampleAgent(model, { timing: CLOUD.timing })],
      auth: CALLER_AUTH,
    });
    const handlers = createLambdaHandlers(definition, {
      store: new DynamoStore({ client: dynamodb, tableName, clock }),
      queue: new SqsRunQueue({ queueUrl: queue.url, client: sqs.client, clock }),
      clock,
      logger: silentLogger,
      safetyNetDelayMs: CLOUD.safetyNetDelayMs,
      worker: { queueUrl: () => queue.url },
      env: {},
    });
    const http = async (changes: HttpEventChanges) => {
      const body = typeof changes.body === 'string' ? changes.body : JSON.stringify(changes.body ?? '');
      const event = httpEvent('http-api-v2', {
        // API Gateway's 29 s count from the request's arrival, on the test's clock.
        arrivedAt: clock.now(),
        ...changes,
        headers: {
          ...changes.headers,
          ...(changes.body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}),
        },
      });
      const result = (await handlers.http(
        event,
        lambdaContext({ clock, budgetMs: CLOUD.lambdaHttpBudgetMs }),
      )) as APIGatewayProxyStructuredResultV2;
      return { status: result.statusCode ?? 200, body: JSON.parse(result.body ?? 'null') };
    };
    const session = async (): Promise<SessionView> =>
      (await http({ method: 'GET', path: `/sessions/${SESSION_ID}` })).body.session;

    const workerInvocations: string[][] = [];
    /** Worker invocations until no message is visible; what succeeded is deleted, as Lambda does. */
    const drain = async () => {
      for (;;) {
        const event = await sqs.receiveEvent(queue);
        if (event.Records.length === 0) return;
        if (workerInvocations.length >= MAX_WORKER_INVOCATIONS) {
          throw new Error(`the run queue did not drain in ${MAX_WORKER_INVOCATIONS} worker invocations`);
        }
        workerInvocations.push(event.Records.map((record) => (JSON.parse(record.body) as RunMessage).reason));
        const response = (await handlers.worker(
          event,
          lambdaContext({ clock, budgetMs: CLOUD.lambdaWorkerBudgetMs }),
        )) as SQSBatchResponse;
        if (response.batchItemFailures.length > 0) {
          throw new Error(`the worker failed ${JSON.stringify(response.batchItemFailures)}`);
        }
        await sqs.client.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queue.url,
            Entries: event.Records.map((record, index) => ({
              Id: String(index),
              ReceiptHandle: record.receiptHandle,
            })),
          }),
        );
      }
    };

    const sent = await http({
      method: 'POST',
      path: `/sessions/${SESSION_ID}/messages`,
      headers: { 'content-type': 'application/json', 'idempotency-key': IDEMPOTENCY_KEY },
      body: { text: MESSAGE },
    });
    await drain();
    const waiting = await session();
    const callId = waiting.pendingApprovals[0]?.callId;
    if (!callId) throw new Error(`expected the run to wait for approval; the session is ${waiting.status}`);
    const approved = await http({
      method: 'POST',
      path: `/sessions/${SESSION_ID}/approvals/${encodeURIComponent(callId)}`,
      headers: { 'content-type': 'application/json', 'x-baton-user': APPROVER },
      body: { approved: true, reason: APPROVAL_REASON },
    });
    await drain();
    const events = await http({ method: 'GET', path: `/sessions/${SESSION_ID}/events`, query: 'limit=1000' });
    return {
      host: 'aws',
      answers: {
        message: { status: sent.status, state: sent.body.state },
        approval: { status: approved.status },
      },
      events: events.body.events as SessionEvent[],
      session: await session(),
      workerInvocations,
      modelRequests: modelRequests(model),
    };
  } finally {
    await dynamodb.send(new DeleteTableCommand({ TableName: tableName }));
  }
}
