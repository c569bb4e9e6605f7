import {
  type Agent,
  createBatonApp,
  defineAgent,
  defineBaton,
  MemoryStore,
  type RunMessage,
  type RunQueue,
  silentLogger,
} from '@baton/core';
import { createExampleAgent } from '@baton/example-agent';
import { callTools, ManualClock, reply, ScriptedModel, type ScriptedStep } from '@baton/testing';
import { describe, expect, it, vi } from 'vitest';
import { createHttpHandler, type HttpHandlerOptions } from './http-handler.js';
import { fixtureRequest, invocationContext } from './test-fixtures.js';

function setup(
  script: ScriptedStep[] = [],
  options: Partial<HttpHandlerOptions> & {
    agent?: (model: ScriptedModel) => Agent;
    maxBodyBytes?: number;
  } = {},
) {
  const clock = new ManualClock();
  const model = new ScriptedModel(script);
  const sent: { message: RunMessage; delayMs: number | undefined }[] = [];
  const queue: RunQueue = {
    async enqueue(message, enqueueOptions) {
      sent.push({ message, delayMs: enqueueOptions?.delayMs });
    },
  };
  const agent = options.agent?.(model) ?? createExampleAgent(model);
  const { agent: _agent, maxBodyBytes, ...handlerOptions } = options;
  const app = createBatonApp(defineBaton({ agents: [agent], auth: 'none' }), {
    store: new MemoryStore(),
    queue,
    clock,
    logger: silentLogger,
    env: {},
    ...(maxBodyBytes !== undefined ? { maxBodyBytes } : {}),
  });
  const handler = createHttpHandler(app, { timeoutMs: 600_000, ...handlerOptions });
  const call = async (request: ReturnType<typeof fixtureRequest>) => {
    const response = await handler(request, invocationContext());
    const text = Buffer.from(response.body as Uint8Array).toString('utf8');
    return {
      status: response.status,
      headers: response.headers,
      body: text === '' ? undefined : JSON.parse(text),
    };
  };
  return { baton: app.baton, call, sent, model, clock };
}

describe('createHttpHandler', () => {
  it('answers 200 with the reply when the run finishes within the budget', async () => {
    const { call } = setup([reply('Hi there!')]);
    const response = await call(fixtureRequest('post-message'));
    expect(response.status).toBe(200);
    expect(response.headers).toEqual({ 'content-type': 'application/json' });
    expect(response.body).toMatchObject({ state: 'finished', reply: 'Hi there!', duplicate: false });
  });

  it('dedupes a retried message when the Idempotency-Key header arrives in any case', async () => {
    const { call, model } = setup([reply('Once.')]);
    await call(fixtureRequest('post-message'));
    const again = await call(
      fixtureRequest('post-message', { headers: { 'IDEMPOTENCY-KEY': 'b3f1c2d4-0001' } }),
    );
    expect(again.body).toMatchObject({ duplicate: true, state: 'finished', reply: 'Once.' });
    expect(model.calls).toHaveLength(1);
  });

  it('serves the session, its events and the session list when the route prefix is stripped', async () => {
    const { call } = setup([reply('Hello!')]);
    await call(fixtureRequest('post-message'));
    const session = await call(fixtureRequest('get-session'));
    expect(session.status).toBe(200);
    expect(session.body).toMatchObject({
      session: { sessionId: 'chat-1', status: 'idle', lastReply: 'Hello!' },
    });
    const events = await call(fixtureRequest('get-events'));
    expect((events.body as { events: { kind: string }[] }).events.map((event) => event.kind)).toEqual([
      'input',
      'model_response',
      'run_finished',
    ]);
    const list = await call(fixtureRequest('list-sessions'));
    expect(list.body).toMatchObject({ sessions: [{ sessionId: 'chat-1', status: 'idle' }] });
  });

  it('deletes a session, then answers 404 when it is asked for', async () => {
    const { call } = setup([reply('Hello!')]);
    await call(fixtureRequest('post-message'));
    expect(await call(fixtureRequest('delete-session'))).toMatchObject({
      status: 200,
      body: { deleted: true },
    });
    const gone = await call(fixtureRequest('get-session'));
    expect(gone).toMatchObject({ status: 404, body: { error: { code: 'session_not_found' } } });
  });

  it('answers 404 when the session is unknown', async () => {
    const { call } = setup();
    const response = await call(fixtureRequest('get-events', { path: '/api/sessions/nobody/events' }));
    expect(response).toMatchObject({ status: 404, body: { error: { code: 'session_not_found' } } });
  });

  it('strips the configured route prefix when it is not the default', async () => {
    const custom = setup([], { routePrefix: 'baton' });
    expect(await custom.call(fixtureRequest('healthz', { path: '/baton/healthz' }))).toMatchObject({
      status: 200,
      body: { ok: true },
    });
    const none = setup([], { routePrefix: '' });
    expect((await none.call(fixtureRequest('healthz', { path: '/healthz' }))).status).toBe(200);
  });

  it('keeps an encoded slash inside one session id when the path is percent-encoded', async () => {
    const { call } = setup([reply('Hi team.')]);
    const response = await call(
      fixtureRequest('post-message', { path: '/api/sessions/team%2Fchat/messages' }),
    );
    expect(response.body).toMatchObject({ session: { sessionId: 'team/chat' } });
  });

  it('answers 400 when the body is not JSON', async () => {
    const { call } = setup();
    const response = await call(fixtureRequest('post-message', { body: '{"text": "unterminated' }));
    expect(response).toMatchObject({ status: 400, body: { error: { code: 'invalid_json' } } });
  });

  it('answers 400 when a field has the wrong type', async () => {
    const { call } = setup();
    const response = await call(fixtureRequest('post-message', { body: '{"text": 42}' }));
    expect(response).toMatchObject({ status: 400, body: { error: { code: 'invalid_input' } } });
  });

  it('answers 415 when the body is sent as another media type', async () => {
    const { call } = setup();
    const request = fixtureRequest('post-message', { headers: { 'Content-Type': 'text/plain' } });
    expect((await call(request)).status).toBe(415);
  });

  it('answers 413 when the body is larger than the limit', async () => {
    const { call, baton } = setup([], { maxBodyBytes: 1024 });
    const body = JSON.stringify({ text: 'x'.repeat(2048) });
    const response = await call(fixtureRequest('post-message', { body }));
    expect(response).toMatchObject({ status: 413, body: { error: { code: 'payload_too_large' } } });
    expect((await baton.list()).sessions).toEqual([]);
  });

  it('answers 404 and 405 when no route or method matches', async () => {
    const { call } = setup();
    expect((await call(fixtureRequest('healthz', { path: '/api/nothing-here' }))).status).toBe(404);
    expect((await call(fixtureRequest('get-session', { method: 'POST', body: '{}' }))).status).toBe(405);
  });
});

describe('createHttpHandler approvals', () => {
  const emailScript = (): ScriptedStep[] => [
    callTools([
      {
        name: 'send_email',
        args: { to: 'bob@example.com', subject: 'Hi', body: 'Hi' },
        callId: 'call_email',
      },
    ]),
    reply('Sent.'),
  ];

  it('records a decision and enqueues the resumed run when the pending call is approved', async () => {
    const { call, sent } = setup(emailScript());
    const waiting = await call(fixtureRequest('post-message', { body: '{"text":"email bob"}' }));
    expect(waiting).toMatchObject({ status: 202, body: { state: 'waiting_approval' } });
    expect(waiting.headers).toMatchObject({ location: '/sessions/chat-1' });
    const approved = await call(fixtureRequest('post-approval'));
    expect(approved).toMatchObject({ status: 202, body: { accepted: true, duplicate: false } });
    expect(sent.at(-1)?.message).toMatchObject({ reason: 'decision', sessionId: 'chat-1' });
    const again = await call(fixtureRequest('post-approval'));
    expect(again.body).toMatchObject({ duplicate: true });
  });

  it('answers 409 when a decided call is decided the other way', async () => {
    const { call } = setup(emailScript());
    await call(fixtureRequest('post-message', { body: '{"text":"email bob"}' }));
    await call(fixtureRequest('post-approval'));
    const flipped = await call(fixtureRequest('post-approval', { body: '{"approved":false}' }));
    expect(flipped).toMatchObject({ status: 409, body: { error: { code: 'already_decided' } } });
  });

  it('answers 400 or 404 when the approval is malformed or names no pending call', async () => {
    const { call } = setup(emailScript());
    await call(fixtureRequest('post-message', { body: '{"text":"email bob"}' }));
    const wrongType = await call(fixtureRequest('post-approval', { body: '{"approved":"yes"}' }));
    expect(wrongType).toMatchObject({ status: 400, body: { error: { code: 'invalid_input' } } });
    const notJson = await call(fixtureRequest('post-approval', { body: 'approved=true' }));
    expect(notJson).toMatchObject({ status: 400, body: { error: { code: 'invalid_json' } } });
    const unknownCall = await call(
      fixtureRequest('post-approval', { path: '/api/sessions/chat-1/approvals/call_nope' }),
    );
    expect(unknownCall).toMatchObject({ status: 404, body: { error: { code: 'no_pending_approval' } } });
  });
});

describe('createHttpHandler time budget', () => {
  const slowAgent = (modelCallMs: number) => (model: ScriptedModel) =>
    defineAgent({ name: 'assistant', instructions: 'Be brief.', model, timing: { modelCallMs } });

  it('continues through the queue and answers 202 when the model call would not fit the budget', async () => {
    const { call, sent, model } = setup([reply('Later.')], { timeoutMs: 60_000 });
    const response = await call(fixtureRequest('post-message'));
    expect(response).toMatchObject({ status: 202, body: { state: 'running', poll: '/sessions/chat-1' } });
    expect(model.calls).toHaveLength(0);
    expect(sent.map((entry) => entry.message.reason)).toEqual(['input', 'continue']);
  });

  it('caps the budget at 230 s less the margin when functionTimeout is longer', async () => {
    const fits = setup([reply('Just in time.')], { timeoutMs: 600_000, agent: slowAgent(225_000) });
    expect((await fits.call(fixtureRequest('post-message'))).status).toBe(200);
    const tooLong = setup([reply('Never.')], { timeoutMs: 600_000, agent: slowAgent(225_001) });
    expect((await tooLong.call(fixtureRequest('post-message'))).status).toBe(202);
  });

  it('counts elapsed time from the start of the invocation when reading the body takes time', async () => {
    // 70 s timeout - 5 s margin = 65 s; a model call needs 60 s, so 5 s of reading leaves just enough.
    const answer = async (readingMs: number) => {
      const { call, clock } = setup([reply('Hi.')], { timeoutMs: 70_000, marginMs: 5_000 });
      const request = fixtureRequest('post-message');
      const read = request.arrayBuffer.bind(request);
      vi.spyOn(request, 'arrayBuffer').mockImplementation(async () => {
        clock.advance(readingMs);
        return read();
      });
      return (await call(request)).status;
    };
    expect(await answer(5_000)).toBe(200);
    expect(await answer(5_001)).toBe(202);
  });
});
