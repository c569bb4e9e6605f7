import { describe, expect, it } from 'vitest';
import { authApp } from '../../test/auth-kit.js';
import { apiKeys } from '../auth/api-keys.js';
import { MAX_SESSION_WEBHOOKS } from './webhook-config.js';

const json = { 'content-type': 'application/json' };

async function withSession() {
  const t = authApp(apiKeys());
  const key = await t.key('acme');
  const auth = { authorization: `Bearer ${key}` };
  const created = await t.fetch(
    new Request('http://baton/sessions/s1/messages', {
      method: 'POST',
      headers: { ...json, ...auth },
      body: JSON.stringify({ text: 'hello' }),
    }),
  );
  expect(created.status).toBeLessThan(300);
  const register = (body: unknown, headers: Record<string, string> = { ...json, ...auth }, path = 's1') =>
    t.fetch(
      new Request(`http://baton/sessions/${path}/webhooks`, {
        method: 'POST',
        headers,
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    );
  return { t, auth, register };
}

describe('POST /sessions/{id}/webhooks', () => {
  it('registers a webhook, answers its secret once, and lists it without the secret', async () => {
    const { t, auth, register } = await withSession();
    const response = await register({ url: 'https://hooks.example.com/baton', events: ['run.finished'] });
    expect(response.status).toBe(201);
    const { webhook } = (await response.json()) as {
      webhook: { id: string; secret: string; events: string[] };
    };
    expect(webhook.id).toMatch(/^wh_/);
    expect(webhook.secret).toMatch(/^whsec_/);
    const listed = await t.fetch(new Request('http://baton/sessions/s1/webhooks', { headers: auth }));
    const body = (await listed.json()) as { webhooks: Record<string, unknown>[] };
    expect(body.webhooks).toEqual([expect.objectContaining({ id: webhook.id, events: ['run.finished'] })]);
    expect(JSON.stringify(body)).not.toContain(webhook.secret);
    // Nor does the session view or its events show it.
    const session = await t.fetch(new Request('http://baton/sessions/s1', { headers: auth }));
    expect(await session.text()).not.toContain(webhook.secret);
    const events = await t.fetch(new Request('http://baton/sessions/s1/events', { headers: auth }));
    expect(await events.text()).not.toContain(webhook.secret);
  });

  it('refuses bad input with a specific status and writes nothing', async () => {
    const { t, auth, register } = await withSession();
    const before = await t.snapshot();
    const cases: [unknown, number, string][] = [
      ['{not json', 400, 'invalid_json'],
      ['[]', 400, 'invalid_input'],
      [
        { url: 'https://hooks.example.com', events: ['run.finished'], pad: 'x'.repeat(5000) },
        413,
        'payload_too_large',
      ],
      [{ url: 'http://hooks.example.com', events: ['run.finished'] }, 400, 'invalid_input'],
      [{ url: 'https://169.254.169.254/latest', events: ['run.finished'] }, 400, 'invalid_input'],
      [{ url: 'https://10.0.0.1/hook', events: ['run.finished'] }, 400, 'invalid_input'],
      [{ url: 'http://127.0.0.1:9/hook', events: ['run.finished'] }, 400, 'invalid_input'],
      [{ url: 42, events: ['run.finished'] }, 400, 'invalid_input'],
      [{ url: 'https://hooks.example.com', events: [] }, 400, 'invalid_input'],
      [{ url: 'https://hooks.example.com', events: ['run.exploded'] }, 400, 'invalid_input'],
      [{ url: 'https://hooks.example.com' }, 400, 'invalid_input'],
    ];
    for (const [body, status, code] of cases) {
      const response = await register(body);
      const answer = (await response.json()) as { error: { code: string } };
      expect([JSON.stringify(body).slice(0, 60), response.status, answer.error.code]).toEqual([
        JSON.stringify(body).slice(0, 60),
        status,
        code,
      ]);
    }
    const unsupported = await register({ url: 'https://hooks.example.com', events: ['run.finished'] }, auth);
    expect(unsupported.status).toBe(415);
    expect(await t.snapshot()).toBe(before);
  });

  it('answers 404 for an unknown session, 401 without credentials and 404 for another tenant', async () => {
    const { t, register } = await withSession();
    const ok = { url: 'https://hooks.example.com', events: ['run.finished'] };
    expect((await register(ok, undefined, 'nope')).status).toBe(404);
    expect((await register(ok, json)).status).toBe(401);
    const other = await t.key('globex');
    // The session id is looked up in the caller's tenant: globex has no session s1.
    expect((await register(ok, { ...json, authorization: `Bearer ${other}` })).status).toBe(404);
    const readOnly = await t.key('acme', ['read']);
    expect((await register(ok, { ...json, authorization: `Bearer ${readOnly}` })).status).toBe(403);
  });

  it(`refuses more than ${MAX_SESSION_WEBHOOKS} webhooks on one session`, async () => {
    const { register } = await withSession();
    for (let i = 0; i < MAX_SESSION_WEBHOOKS; i++) {
      expect(
        (await register({ url: `https://hooks.example.com/${i}`, events: ['run.finished'] })).status,
      ).toBe(201);
    }
    const response = await register({ url: 'https://hooks.example.com/x', events: ['run.finished'] });
    expect(response.status).toBe(409);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('too_many_webhooks');
  });
});
