import { callTools, reply } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { kit } from '../test/kit.js';
import { type HttpRequest, handleHttp } from './http-routes.js';

function request(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): HttpRequest {
  const [pathname, search] = path.split('?');
  return {
    method,
    path: pathname!,
    query: new URLSearchParams(search ?? ''),
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  };
}

describe('handleHttp', () => {
  it('answers a message synchronously when the run finishes in time', async () => {
    const t = kit([reply('Hello!')]);
    const response = await handleHttp(t.baton, request('POST', '/sessions/s1/messages', { text: 'hi' }), {
      deadline: t.later(),
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      state: 'finished',
      reply: 'Hello!',
      inputSeq: 1,
      duplicate: false,
    });
  });

  it('answers 202 with where to poll when the run waits for approval', async () => {
    const t = kit([callTools([{ name: 'send_email', args: { to: 'bob' }, callId: 'e1' }]), reply('Sent.')]);
    const response = await handleHttp(t.baton, request('POST', '/sessions/s1/messages', { text: 'email' }), {
      deadline: t.later(),
    });
    expect(response.status).toBe(202);
    expect(response.headers.location).toBe('/sessions/s1');
    expect(response.body).toMatchObject({ state: 'waiting_approval', poll: '/sessions/s1' });
    const approve = await handleHttp(
      t.baton,
      request('POST', '/sessions/s1/approvals/e1', { approved: true }),
      {
        deadline: t.later(),
      },
    );
    expect(approve).toMatchObject({ status: 202, body: { accepted: true, duplicate: false } });
  });

  it('gives the same answer to a repeated Idempotency-Key and records the input once', async () => {
    const t = kit([reply('Once.')]);
    const send = () =>
      handleHttp(
        t.baton,
        request('POST', '/sessions/s1/messages', { text: 'hi' }, { 'idempotency-key': 'abc' }),
        {
          deadline: t.later(),
        },
      );
    const first = await send();
    const second = await send();
    expect(second.body.reply).toBe(first.body.reply);
    expect(second.body).toMatchObject({ inputSeq: 1, duplicate: true });
    const events = await handleHttp(t.baton, request('GET', '/sessions/s1/events'), { deadline: t.later() });
    expect((events.body.events as unknown[]).length).toBe(3);
  });

  it.each([
    ['malformed JSON', request('POST', '/sessions/s1/messages', '{"text":'), 400, 'invalid_json'],
    ['a JSON array', request('POST', '/sessions/s1/messages', '[1]'), 400, 'invalid_input'],
    ['text of the wrong type', request('POST', '/sessions/s1/messages', { text: 42 }), 400, 'invalid_input'],
    ['empty text', request('POST', '/sessions/s1/messages', { text: '' }), 400, 'invalid_input'],
    [
      'an oversized body',
      request('POST', '/sessions/s1/messages', { text: 'x'.repeat(300_000) }),
      413,
      'payload_too_large',
    ],
    [
      'an oversized text',
      request('POST', '/sessions/s1/messages', { text: 'x'.repeat(70_000) }),
      413,
      'payload_too_large',
    ],
    [
      'a form body',
      request('POST', '/sessions/s1/messages', 'text=hi', {
        'content-type': 'application/x-www-form-urlencoded',
      }),
      415,
      'unsupported_media_type',
    ],
    [
      'an unknown agent',
      request('POST', '/sessions/s1/messages', { text: 'hi', agent: 'ghost' }),
      404,
      'unknown_agent',
    ],
    [
      'a bad tenant',
      request('POST', '/sessions/s1/messages', { text: 'hi' }, { 'x-baton-tenant': 'a/b' }),
      400,
      'invalid_input',
    ],
    ['an unknown session', request('GET', '/sessions/nope'), 404, 'session_not_found'],
    ['events of an unknown session', request('GET', '/sessions/nope/events'), 404, 'session_not_found'],
    ['a bad events cursor', request('GET', '/sessions/nope/events?after=-1'), 400, 'invalid_input'],
    [
      'an approval for an unknown session',
      request('POST', '/sessions/nope/approvals/c1', { approved: true }),
      404,
      'session_not_found',
    ],
    [
      'an approval that is not a boolean',
      request('POST', '/sessions/s1/approvals/c1', { approved: 'yes' }),
      400,
      'invalid_input',
    ],
    ['an unknown route', request('GET', '/nothing'), 404, 'not_found'],
    ['a wrong method', request('PUT', '/sessions/s1/messages', { text: 'hi' }), 405, 'method_not_allowed'],
    ['a bad list filter', request('GET', '/sessions?status=weird'), 400, 'invalid_input'],
  ])('answers %s with a specific error and changes nothing', async (_name, bad, status, code) => {
    const t = kit([]);
    const response = await handleHttp(t.baton, bad, { deadline: t.later() });
    expect(response.status).toBe(status);
    expect(response.body).toMatchObject({ error: { code } });
    expect((await t.store.list()).sessions).toHaveLength(0);
  });

  it('answers an approval for a call that is not pending with 404 and leaves the session unchanged', async () => {
    const t = kit([reply('Hi')]);
    await handleHttp(t.baton, request('POST', '/sessions/s1/messages', { text: 'hi' }), {
      deadline: t.later(),
    });
    const before = await t.store.readHead({ tenant: 'default', sessionId: 's1' });
    const response = await handleHttp(
      t.baton,
      request('POST', '/sessions/s1/approvals/c9', { approved: false }),
      {
        deadline: t.later(),
      },
    );
    expect(response).toMatchObject({ status: 404, body: { error: { code: 'no_pending_approval' } } });
    expect(await t.store.readHead({ tenant: 'default', sessionId: 's1' })).toEqual(before);
  });

  it('lists, reads and deletes sessions of the caller tenant only', async () => {
    const t = kit([reply('a'), reply('b')]);
    await handleHttp(t.baton, request('POST', '/sessions/s1/messages', { text: 'hi' }), {
      deadline: t.later(),
    });
    await handleHttp(
      t.baton,
      request('POST', '/sessions/s2/messages', { text: 'hi' }, { 'x-baton-tenant': 'other' }),
      {
        deadline: t.later(),
      },
    );
    const list = await handleHttp(t.baton, request('GET', '/sessions'), { deadline: t.later() });
    expect((list.body.sessions as { sessionId: string }[]).map((s) => s.sessionId)).toEqual(['s1']);
    const read = await handleHttp(t.baton, request('GET', '/sessions/s1'), { deadline: t.later() });
    expect(read.body.session).toMatchObject({ status: 'idle', lastReply: 'a' });
    expect(
      (await handleHttp(t.baton, request('DELETE', '/sessions/s1'), { deadline: t.later() })).status,
    ).toBe(200);
    expect((await handleHttp(t.baton, request('GET', '/sessions/s1'), { deadline: t.later() })).status).toBe(
      404,
    );
  });
});
