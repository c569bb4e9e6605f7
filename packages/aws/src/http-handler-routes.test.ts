import { callTools, reply } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { fixture, httpEvent } from './test-support/fixtures.js';
import { setup } from './test-support/http-handler-setup.js';

describe('createHttpHandler', () => {
  it('answers the health check when GET /healthz arrives', async () => {
    const { get } = setup([]);
    const response = await get('/healthz');
    expect(response.statusCode).toBe(200);
    expect(response.json).toEqual({ ok: true });
    expect(response.headers).toEqual({ 'content-type': 'application/json' });
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
});
