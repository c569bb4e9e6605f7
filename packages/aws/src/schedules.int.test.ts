import { randomUUID } from 'node:crypto';
import { defineBaton, type RunMessage, type SessionEvent, sessionRef, silentLogger } from '@baton/core';
import { DynamoStore } from '@baton/store-dynamodb';
import { ManualClock, reply, ScriptedModel } from '@baton/testing';
import type { APIGatewayProxyStructuredResultV2, SQSBatchResponse } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createLambdaHandlers } from './lambda-handlers.js';
import { SqsRunQueue } from './sqs-run-queue.js';
import { httpEvent } from './test-support/fixtures.js';
import { lambdaContext } from './test-support/lambda-context.js';
import { releasedMessage, useLambdaEmulators } from './test-support/lambda-emulators.js';
import { type TestQueue, toSqsEvent } from './test-support/sqs-emulator.js';
import { testAgent } from './test-support/test-baton.js';

const ref = sessionRef('default', 'reminders');

/**
 * Schedules through the Lambda handlers on DynamoDB Local and fauxqs: SQS holds a message at most
 * 900 s (DelaySeconds), so a wake-up two hours out carries `notBefore` and hops every 15 minutes
 * (a re-sent copy, no receive counted) until it is due. fauxqs delays by the real clock: the test
 * takes each delayed body and delivers it as the event source would, with a manual clock.
 */
describe('schedules on the Lambda handlers', () => {
  const env = useLambdaEmulators('baton-schedules');

  async function wakeBodies(queue: TestQueue, seen: Set<string>): Promise<string[]> {
    const contents = await env.sqs.inspect(queue);
    const fresh = contents.delayed.filter((message) => !seen.has(message.messageId));
    for (const message of fresh) seen.add(message.messageId);
    return fresh.map((message) => message.body).filter((body) => JSON.parse(body).reason === 'wake');
  }

  it('fires a cron rule once per day, each wake-up hopping through SQS until it is due', async () => {
    const clock = new ManualClock(Date.UTC(2026, 11, 6, 7));
    const queue = await env.sqs.createQueue(`runs-${randomUUID()}`);
    const model = new ScriptedModel((_request, index) => reply(`report ${index + 1}`));
    const handlers = createLambdaHandlers(defineBaton({ agents: [testAgent(model)], auth: 'none' }), {
      store: new DynamoStore({ client: env.dynamodb, tableName: env.tableName, clock }),
      queue: new SqsRunQueue({ queueUrl: queue.url, client: env.sqs.client, clock }),
      clock,
      logger: silentLogger,
      worker: { safetyMarginMs: 1_000, queueUrl: () => queue.url },
    });
    const worker = async (body: string) =>
      (await handlers.worker(
        toSqsEvent([releasedMessage(body)], queue.arn),
        lambdaContext({ clock, budgetMs: 60_000 }),
      )) as SQSBatchResponse;

    const created = (await handlers.http(
      httpEvent('function-url', {
        method: 'POST',
        path: '/sessions/reminders/schedules',
        body: { text: 'daily report', cron: '0 9 * * *' },
      }),
      lambdaContext({ clock, budgetMs: 8_000 }),
    )) as APIGatewayProxyStructuredResultV2;
    expect(created.statusCode).toBe(201);
    expect(JSON.parse(created.body!)).toMatchObject({ nextAt: '2026-12-06T09:00:00.000Z' });

    const seen = new Set<string>();
    let [wake] = await wakeBodies(queue, seen);
    expect(JSON.parse(wake!) as RunMessage).toMatchObject({ notBefore: Date.UTC(2026, 11, 6, 9) });

    // 15 minutes later SQS lets it go; not due: a copy goes back for another 900 s, nothing runs.
    clock.advance(15 * 60_000);
    expect((await worker(wake!)).batchItemFailures).toEqual([]);
    const hops = await wakeBodies(queue, seen);
    expect(hops).toEqual([wake]);
    expect(model.calls).toHaveLength(0);

    for (const day of [6, 7]) {
      clock.set(Date.UTC(2026, 11, day, 9));
      expect((await worker(wake!)).batchItemFailures).toEqual([]);
      // A duplicate delivery of the same wake-up: no second firing.
      expect((await worker(wake!)).batchItemFailures).toEqual([]);
      const next = await wakeBodies(queue, seen);
      [wake] = next.filter((body) => JSON.parse(body).notBefore === Date.UTC(2026, 11, day + 1, 9));
      expect(wake).toBeDefined();
    }

    const events = await handlers.app.baton.events(ref);
    const fired = events.filter(
      (event: SessionEvent) => event.kind === 'input' && event.source === 'schedule',
    );
    expect(fired.map((event) => new Date(event.at).toISOString())).toEqual([
      '2026-12-06T09:00:00.000Z',
      '2026-12-07T09:00:00.000Z',
    ]);
    expect(model.calls).toHaveLength(2);
    expect((await handlers.app.baton.session(ref)).lastReply).toBe('report 2');
  });
});
