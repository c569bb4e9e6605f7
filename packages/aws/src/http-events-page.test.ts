import { MemoryStore } from '@baton/core';
import { ManualClock, reply, ScriptedModel } from '@baton/testing';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createHttpHandler } from './http-handler.js';
import { httpEvent } from './test-support/fixtures.js';
import { lambdaContext } from './test-support/lambda-context.js';
import { RecordingQueue, testApp } from './test-support/test-baton.js';

const MB = 1024 * 1024;
/** Lambda refuses a synchronous result whose JSON is larger than this. */
const LAMBDA_RESPONSE_LIMIT = 6 * MB;

/** The Lambda HTTP handler over an app whose model answers each message with one reply of `bytes` characters. */
function setup(sizes: number[]) {
  const clock = new ManualClock();
  const model = new ScriptedModel(sizes.map((bytes, index) => reply(`${index}`.repeat(bytes))));
  // Room for events larger than any response (SQLite and Cosmos DB keep up to 16 MB).
  const store = new MemoryStore({ maxEventBytes: 16 * MB });
  const { app } = testApp({ model, queue: new RecordingQueue(), clock, store });
  const handler = createHttpHandler(app, { safetyMarginMs: 1_000 });
  const invoke = async (event: APIGatewayProxyEventV2) => {
    event.requestContext.timeEpoch = clock.now();
    const result = (await handler(
      event,
      lambdaContext({ clock, budgetMs: 20_000 }),
    )) as APIGatewayProxyStructuredResultV2;
    // What Lambda would have to send back: the result as JSON.
    return { result, payloadBytes: Buffer.byteLength(JSON.stringify(result)) };
  };
  const post = (path: string, body: unknown) =>
    invoke(
      httpEvent('http-api-v2', {
        method: 'POST',
        path,
        body,
        headers: { 'content-type': 'application/json' },
      }),
    );
  const get = (path: string) => {
    const [pathname = '', query = ''] = path.split('?');
    return invoke(httpEvent('http-api-v2', { method: 'GET', path: pathname, query, body: undefined }));
  };
  return { post, get };
}

interface Page {
  events: { seq: number }[];
  next?: { after: number; path: string };
}

describe('the events route through the Lambda HTTP handler', () => {
  it('pages a session of 3 MB events into results Lambda can return, and next reaches every event', async () => {
    const { post, get } = setup([3 * MB, 3 * MB, 3 * MB]);
    for (const text of ['one', 'two', 'three']) {
      expect((await post('/sessions/big/messages', { text })).result.statusCode).toBe(200);
    }
    const seqs: number[] = [];
    let path: string | undefined = '/sessions/big/events?limit=1000';
    while (path) {
      const { result, payloadBytes } = await get(path);
      expect(result.statusCode).toBe(200);
      expect(result.isBase64Encoded).toBe(false);
      expect(payloadBytes).toBeLessThan(LAMBDA_RESPONSE_LIMIT);
      const page = JSON.parse(String(result.body)) as Page;
      seqs.push(...page.events.map((event) => event.seq));
      path = page.next?.path;
    }
    expect(seqs).toEqual(seqs.map((_, index) => index + 1));
    expect(seqs.length).toBeGreaterThanOrEqual(6);
  });

  it('answers an event too large for any result with a small error naming it', async () => {
    const { post, get } = setup([7 * MB]);
    expect((await post('/sessions/huge/messages', { text: 'one' })).result.statusCode).toBe(200);
    const first = JSON.parse(String((await get('/sessions/huge/events')).result.body)) as Page;
    const { result, payloadBytes } = await get(first.next!.path);
    expect(result.statusCode).toBe(422);
    expect(payloadBytes).toBeLessThan(4096);
    expect(JSON.parse(String(result.body)).error).toMatchObject({
      code: 'event_too_large_for_response',
      details: { seq: first.next!.after + 1 },
    });
  });
});
