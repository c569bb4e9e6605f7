import { callTools, ManualClock, reply, ScriptedModel, type ScriptedStep } from '@baton/testing';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createHttpHandler, type HttpHandlerOptions } from './http-handler.js';
import { fixture, httpEvent } from './test-support/fixtures.js';
import { lambdaContext } from './test-support/lambda-context.js';
import { RecordingQueue, testApp } from './test-support/test-baton.js';

function setup(
  script: ScriptedStep[] | ((clock: ManualClock) => ScriptedStep[]),
  options: HttpHandlerOptions = {},
  appOptions: { maxBodyBytes?: number } = {},
) {
  const clock = new ManualClock();
  const model = new ScriptedModel(typeof script === 'function' ? script(clock) : script);
  const queue = new RecordingQueue();
  const { app, baton } = testApp({ model, queue, clock, ...appOptions });
  const handler = createHttpHandler(app, { safetyMarginMs: 1_000, ...options });
  /** Invokes the handler `startDelayMs` after the request arrived (a cold start, say). */
  const invoke = async (event: unknown, budgetMs = 20_000, startDelayMs = 0) => {
    const context = (event as APIGatewayProxyEventV2 | null)?.requestContext;
    if (context && typeof context === 'object') context.timeEpoch = clock.now();
    clock.advance(startDelayMs);
    const result = (await handler(
      event as APIGatewayProxyEventV2,
      lambdaContext({ clock, budgetMs }),
    )) as APIGatewayProxyStructuredResultV2;
    return { ...result, json: JSON.parse(String(result.body)) };
  };
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    invoke(httpEvent('http-api-v2', { method: 'POST', path, body, headers }));
  const get = (path: string, query = '', headers: Record<string, string> = {}) =>
    invoke(httpEvent('http-api-v2', { method: 'GET', path, query, body: undefined, headers }));
  return { model, queue, app, baton, clock, invoke, post, get };
}

describe('createHttpHandler', () => {
  it('answers the health check when GET /healthz arrives', async () => {
    const { get } = setup([]);
    const response = await get('/healthz');
    expect(response.statusCode).toBe(200);
    expect(response.json).toEqual({ ok: true });
    expect(response.headers).toEqual({ 'content-type': 'application/json' });
  });

  it('answers 200 with the reply when the run finishes before the deadline', async () => {
    const { invoke, model } = setup([reply('Hello from Baton.')]);
    const response = await invoke(fixture('http-api-v2'));
    expect(response.statusCode).toBe(200);
    expect(response.json).toMatchObject({ state: 'finished', reply: 'Hello from Baton.', duplicate: false });
    expect(model.calls[0]?.messages).toEqual([{ role: 'user', content: 'hello, baton' }]);
  });

  it('answers 202 with a poll location when the remaining time does not cover a model call', async () => {
    const { invoke, model, queue } = setup([reply('never sent')]);
    // 3 s left minus the 1 s margin is less than the 5 s a model call needs.
    const response = await invoke(fixture('http-api-v2'), 3_000);
    expect(response.statusCode).toBe(202);
    expect(response.headers?.location).toBe('/sessions/chat-1');
    expect(response.json).toMatchObject({ state: 'running', poll: '/sessions/chat-1', reply: null });
    expect(model.calls).toHaveLength(0);
    expect(queue.sent.map((entry) => entry.message.reason)).toEqual(['input', 'continue']);
  });

  it("stops at API Gateway's 29 s even when Lambda allows longer, but not for a Function URL", async () => {
    const script = (clock: ManualClock): ScriptedStep[] => [
      () => {
        clock.advance(25_000);
        return callTools([{ name: 'add_note', args: { text: 'slow' } }]);
      },
      reply('noted'),
    ];
    const viaGateway = setup(script);
    const gateway = await viaGateway.invoke(fixture('http-api-v2'), 120_000);
    expect(gateway.statusCode).toBe(202);
    expect(viaGateway.model.calls).toHaveLength(1);
    const viaUrl = setup(script);
    const url = await viaUrl.invoke(fixture('function-url'), 120_000);
    expect(url.statusCode).toBe(200);
    expect(url.json).toMatchObject({ state: 'finished', reply: 'noted' });
  });

  it("counts API Gateway's 29 s from the request's arrival when a cold start delays the handler", async () => {
    // The first model call takes 15 s; the second needs 5 s of what is left.
    const script = (clock: ManualClock): ScriptedStep[] => [
      () => {
        clock.advance(15_000);
        return callTools([{ name: 'add_note', args: { text: 'slow' } }]);
      },
      reply('noted'),
    ];
    // Arrived 10 s before the handler starts: 28 s from arrival leave 3 s after the first call.
    const cold = setup(script);
    const gateway = await cold.invoke(fixture('http-api-v2'), 120_000, 10_000);
    expect(gateway.statusCode).toBe(202);
    expect(cold.model.calls).toHaveLength(1);
    // Started as the request arrived, the second call fits.
    const warm = setup(script);
    expect((await warm.invoke(fixture('http-api-v2'), 120_000, 0)).statusCode).toBe(200);
    // A Function URL has no gateway timeout: the delay does not matter.
    const viaUrl = setup(script);
    const url = await viaUrl.invoke(fixture('function-url'), 120_000, 10_000);
    expect(url.json).toMatchObject({ state: 'finished', reply: 'noted' });
  });

  it('decodes a base64 body when a Function URL sends one', async () => {
    const { invoke, model } = setup([reply('got it')]);
    const response = await invoke(fixture('function-url'));
    expect(response.statusCode).toBe(200);
    expect(model.calls[0]?.messages).toEqual([{ role: 'user', content: 'hello from a function URL' }]);
  });

  it('strips the stage and the route prefix when the API has a named stage and a greedy route', async () => {
    const { post, invoke } = setup([reply('hi')]);
    await post('/sessions/chat-1/messages', { text: 'hello' });
    const response = await invoke(fixture('http-api-v2-named-stage'));
    expect(response.statusCode).toBe(200);
    expect(response.json.session).toMatchObject({ sessionId: 'chat-1', status: 'idle', lastReply: 'hi' });
  });

  it('reads a session, its events and the session list when asked with GET', async () => {
    const { post, get } = setup([reply('hi')]);
    await post('/sessions/chat-1/messages', { text: 'hello' });
    const session = await get('/sessions/chat-1');
    expect(session.json.session).toMatchObject({ tenant: 'default', sessionId: 'chat-1', status: 'idle' });
    const events = await get('/sessions/chat-1/events', 'after=0&limit=10');
    expect(events.statusCode).toBe(200);
    expect(events.json.events.map((event: { kind: string }) => event.kind)).toEqual([
      'input',
      'model_response',
      'run_finished',
    ]);
    const list = await get('/sessions', 'status=idle');
    expect(list.json.sessions).toEqual([expect.objectContaining({ sessionId: 'chat-1', status: 'idle' })]);
  });

  it('deletes a session when DELETE arrives and answers 404 for it afterwards', async () => {
    const { post, invoke, get } = setup([reply('hi')]);
    await post('/sessions/chat-1/messages', { text: 'hello' });
    const deleted = await invoke(
      httpEvent('http-api-v2', { method: 'DELETE', path: '/sessions/chat-1', body: undefined }),
    );
    expect(deleted.json).toEqual({ deleted: true });
    expect((await get('/sessions/chat-1')).statusCode).toBe(404);
  });

  it('answers 404 when the session is unknown', async () => {
    const { get } = setup([]);
    const response = await get('/sessions/nobody-here/events');
    expect(response.statusCode).toBe(404);
    expect(response.json.error).toMatchObject({ code: 'session_not_found', retryable: false });
  });

  it('resumes a run when an approval arrives for the pending call', async () => {
    const { post, get, queue } = setup([
      callTools([
        { name: 'send_email', args: { to: 'bob@example.com', subject: 'Hi', body: 'Hi' }, callId: 'mail-1' },
      ]),
    ]);
    const waiting = await post('/sessions/chat-1/messages', { text: 'email bob' });
    expect(waiting.statusCode).toBe(202);
    expect(waiting.json.state).toBe('waiting_approval');
    const session = await get('/sessions/chat-1');
    expect(session.json.session.pendingApprovals).toEqual([
      expect.objectContaining({ callId: 'mail-1', tool: 'send_email' }),
    ]);
    const decided = await post(
      '/sessions/chat-1/approvals/mail-1',
      { approved: true },
      { 'x-baton-user': 'alice' },
    );
    expect(decided.statusCode).toBe(202);
    expect(decided.json).toMatchObject({ accepted: true, duplicate: false });
    expect(queue.sent.at(-1)?.message.reason).toBe('decision');
  });

  it('rejects approvals with the wrong type, for an unknown call, or contradicting a decision', async () => {
    const { post } = setup([
      callTools([
        { name: 'send_email', args: { to: 'bob@example.com', subject: 'Hi', body: 'Hi' }, callId: 'mail-1' },
      ]),
    ]);
    await post('/sessions/chat-1/messages', { text: 'email bob' });
    const wrongType = await post('/sessions/chat-1/approvals/mail-1', { approved: 'yes' });
    expect(wrongType.statusCode).toBe(400);
    expect(wrongType.json.error.details).toEqual({ field: 'approved' });
    const unknown = await post('/sessions/chat-1/approvals/no-such-call', { approved: true });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json.error.code).toBe('no_pending_approval');
    expect((await post('/sessions/chat-1/approvals/mail-1', { approved: false })).statusCode).toBe(202);
    const again = await post('/sessions/chat-1/approvals/mail-1', { approved: false });
    expect(again.json).toMatchObject({ duplicate: true });
    const contradicting = await post('/sessions/chat-1/approvals/mail-1', { approved: true });
    expect(contradicting.statusCode).toBe(409);
    const onUnknownSession = await post('/sessions/ghost/approvals/mail-1', { approved: true });
    expect(onUnknownSession.statusCode).toBe(404);
  });

  it('answers 400 when the body is not JSON', async () => {
    const { post, model } = setup([]);
    const response = await post('/sessions/chat-1/messages', '{"text": "unterminated');
    expect(response.statusCode).toBe(400);
    expect(response.json.error.code).toBe('invalid_json');
    expect(model.calls).toHaveLength(0);
  });

  it('answers 400 naming the field when a field has the wrong type', async () => {
    const { post, get } = setup([]);
    const response = await post('/sessions/chat-1/messages', { text: 42 });
    expect(response.statusCode).toBe(400);
    expect(response.json.error).toMatchObject({ code: 'invalid_input', details: { field: 'text' } });
    expect((await post('/sessions/chat-1/messages', [1, 2])).statusCode).toBe(400);
    expect((await get('/sessions', 'limit=many')).statusCode).toBe(400);
    expect((await get('/sessions/chat-1')).statusCode).toBe(404);
  });

  it('answers 413 when the body is larger than the limit, base64 or not', async () => {
    const { post, invoke } = setup([], {}, { maxBodyBytes: 1_024 });
    const text = 'x'.repeat(2_000);
    const plain = await post('/sessions/chat-1/messages', { text });
    expect(plain.statusCode).toBe(413);
    expect(plain.json.error.code).toBe('payload_too_large');
    const encoded = await invoke(
      httpEvent('function-url', {
        method: 'POST',
        path: '/sessions/chat-1/messages',
        body: { text },
        base64: true,
      }),
    );
    expect(encoded.statusCode).toBe(413);
  });

  it('answers 400 when a base64 body is not base64, and hands other bytes to the app as sent', async () => {
    const { invoke } = setup([]);
    const notBase64 = { ...fixture<APIGatewayProxyEventV2>('function-url'), body: '%%%not base64%%%' };
    expect((await invoke(notBase64)).json.error.code).toBe('invalid_body_encoding');
    const notUtf8 = {
      ...fixture<APIGatewayProxyEventV2>('function-url'),
      body: Buffer.from([0xff, 0xfe, 0x7b]).toString('base64'),
    };
    const response = await invoke(notUtf8);
    expect(response.statusCode).toBe(400);
    expect(response.json.error.code).toBe('invalid_json');
  });

  it('answers 400 when the event is not an HTTP API payload 2.0 event', async () => {
    const { invoke } = setup([]);
    const restApiEvent = {
      resource: '/{proxy+}',
      path: '/healthz',
      httpMethod: 'GET',
      headers: {},
      body: null,
    };
    const response = await invoke(restApiEvent);
    expect(response.statusCode).toBe(400);
    expect(response.json.error.code).toBe('unsupported_event');
    expect((await invoke(null)).statusCode).toBe(400);
  });

  it('lower-cases header names so a retried message with the same Idempotency-Key changes nothing', async () => {
    const { post, get, model } = setup([reply('once')]);
    const headers = { 'Idempotency-Key': 'retry-1', 'X-Baton-Tenant': 'acme' };
    const first = await post('/sessions/chat-1/messages', { text: 'hello' }, headers);
    const second = await post('/sessions/chat-1/messages', { text: 'hello' }, headers);
    expect(first.json).toMatchObject({ duplicate: false, reply: 'once' });
    expect(second.json).toMatchObject({ duplicate: true, reply: 'once', inputSeq: first.json.inputSeq });
    expect(model.calls).toHaveLength(1);
    expect((await get('/sessions/chat-1', '', { 'X-Baton-Tenant': 'acme' })).statusCode).toBe(200);
    expect((await get('/sessions/chat-1')).statusCode).toBe(404);
  });

  it('takes the tenant from the resolver over the header when one is configured', async () => {
    const { post, baton } = setup([reply('hi')], { tenant: (event) => event.requestContext.accountId });
    await post('/sessions/chat-1/messages', { text: 'hello' }, { 'x-baton-tenant': 'spoofed' });
    expect((await baton.list({ tenant: '123456789012' })).sessions).toHaveLength(1);
    expect((await baton.list({ tenant: 'spoofed' })).sessions).toHaveLength(0);
  });

  it('answers 503 when the run outlives the invocation', async () => {
    let release: () => void = () => undefined;
    const stuck = new Promise<never>((_, reject) => {
      release = () => reject(new Error('released'));
    });
    // A model that ignores its abort signal: only middy's early timeout can answer in time.
    const { invoke } = setup([() => stuck], { timeoutEarlyMs: 6_000 });
    const response = await invoke(fixture('function-url'), 6_100);
    release();
    expect(response.statusCode).toBe(503);
    expect(response.json.error).toMatchObject({ code: 'timeout', retryable: true });
  });

  it('answers below 500 when methods, paths and bodies are arbitrary', async () => {
    const model = new ScriptedModel(() => reply('ok'));
    const { app, clock } = testApp({ model });
    const handler = createHttpHandler(app, { safetyMarginMs: 1_000 });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'DELETE', 'PUT'),
        fc.string(),
        fc.oneof(fc.string(), fc.json()),
        async (method, path, body) => {
          const event = httpEvent('http-api-v2', {
            method,
            path: `/sessions/${path}`,
            body,
            arrivedAt: clock.now(),
          });
          const result = (await handler(
            event,
            lambdaContext({ clock, budgetMs: 20_000 }),
          )) as APIGatewayProxyStructuredResultV2;
          expect(result.statusCode).toBeLessThan(500);
          expect(() => JSON.parse(String(result.body))).not.toThrow();
        },
      ),
      { numRuns: 200 },
    );
  });
});
