import { ManualClock } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { authApp } from '../../test/auth-kit.js';
import { ConfigurationError } from '../models/model-provider.js';
import { apiKeys, generateApiKey, hashSecret, parseApiKey } from './api-keys.js';

function post(path: string, key: string | undefined, body: unknown, headers: Record<string, string> = {}) {
  return new Request(`http://baton${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...headers,
    },
    body: JSON.stringify(body),
  });
}

async function errorOf(response: Response): Promise<{ status: number; code: string; retryable: boolean }> {
  const body = (await response.json()) as { error: { code: string; retryable: boolean } };
  return { status: response.status, code: body.error.code, retryable: body.error.retryable };
}

describe('generateApiKey and parseApiKey', () => {
  it('makes bk_<16 base32>_<43 base64url> keys whose record holds only the secret hash', () => {
    const { key, record } = generateApiKey({ tenant: 'acme', name: 'ci' }, new ManualClock());
    expect(key).toMatch(/^bk_[a-z2-7]{16}_[A-Za-z0-9_-]{43}$/);
    const parsed = parseApiKey(key)!;
    expect(parsed.keyId).toBe(record.keyId);
    expect(record.secretHash).toBe(hashSecret(parsed.secret));
    expect(JSON.stringify(record)).not.toContain(parsed.secret);
    expect(record.scopes).toEqual(['send', 'read', 'approve']);
  });

  it('rejects text that is not a key, and a tenant or scope that cannot be', () => {
    for (const text of [
      '',
      'bk_',
      'bk_short_secret',
      `bk_ABCDEFGHIJKLMNOP_${'a'.repeat(43)}`,
      `xk_${'a'.repeat(16)}_${'a'.repeat(43)}`,
    ]) {
      expect(parseApiKey(text)).toBeNull();
    }
    expect(() => generateApiKey({ tenant: '../etc' }, new ManualClock())).toThrow(/tenant/);
    expect(() => generateApiKey({ tenant: 'acme', scopes: ['root' as 'admin'] }, new ManualClock())).toThrow(
      /scopes/,
    );
  });
});

describe('apiKeys()', () => {
  it('lets a key of its tenant talk and read, as key:<keyId>', async () => {
    const t = authApp(apiKeys());
    const key = await t.key('acme');
    const sent = await t.fetch(post('/sessions/s1/messages', key, { text: 'hi' }));
    expect(sent.status).toBe(200);
    const read = await t.fetch(
      new Request('http://baton/sessions/s1', { headers: { 'x-api-key': key, 'x-baton-tenant': 'acme' } }),
    );
    expect(read.status).toBe(200);
    expect((await t.store.list({ tenant: 'acme' })).sessions.map((head) => head.sessionId)).toEqual(['s1']);
  });

  it('records the key as the decider of an approval', async () => {
    const t = authApp(apiKeys());
    const key = await t.key('acme');
    expect((await t.fetch(post('/sessions/s1/messages', key, { text: 'email bob' }))).status).toBe(202);
    const decided = await t.fetch(post('/sessions/s1/approvals/e1', key, { approved: true }));
    expect(decided.status).toBe(202);
    const events = await t.store.readEvents({ tenant: 'acme', sessionId: 's1' });
    const decision = events.find((event) => event.kind === 'decision');
    expect(JSON.stringify(decision)).toContain(`key:${parseApiKey(key)!.keyId}`);
  });

  it('refuses wrong, forged, revoked, foreign and under-scoped keys with 401/403 and changes nothing', async () => {
    const t = authApp(apiKeys());
    const good = await t.key('acme', ['send', 'read']);
    const { keyId } = parseApiKey(good)!;
    const revoked = await t.key('acme');
    await t.store.apiKeys.revokeApiKey(parseApiKey(revoked)!.keyId, t.clock.now());
    const unknown = generateApiKey({ tenant: 'acme' }, t.clock).key;
    const forged = `bk_${keyId}_${'A'.repeat(43)}`;
    const before = await t.snapshot();
    const cases: [string, Request, number, string][] = [
      ['no key', post('/sessions/s1/messages', undefined, { text: 'hi' }), 401, 'unauthenticated'],
      ['unknown keyId', post('/sessions/s1/messages', unknown, { text: 'hi' }), 401, 'invalid_credentials'],
      [
        'wrong secret of a real keyId',
        post('/sessions/s1/messages', forged, { text: 'hi' }),
        401,
        'invalid_credentials',
      ],
      ['malformed key', post('/sessions/s1/messages', 'bk_nope', { text: 'hi' }), 401, 'invalid_credentials'],
      ['revoked key', post('/sessions/s1/messages', revoked, { text: 'hi' }), 401, 'invalid_credentials'],
      [
        'key of another tenant',
        post('/sessions/s1/messages', good, { text: 'hi' }, { 'x-baton-tenant': 'globex' }),
        403,
        'tenant_mismatch',
      ],
      [
        'missing scope',
        post('/sessions/s1/approvals/e1', good, { approved: true }),
        403,
        'insufficient_scope',
      ],
      [
        'x-baton-user does not lend a scope',
        post('/sessions/s1/approvals/e1', good, { approved: true }, { 'x-baton-user': 'UBOSS' }),
        403,
        'insufficient_scope',
      ],
      [
        'Basic credentials',
        post('/sessions/s1/messages', undefined, { text: 'hi' }, { authorization: 'Basic YTpi' }),
        401,
        'unauthenticated',
      ],
    ];
    for (const [name, request, status, code] of cases) {
      const response = await t.fetch(request);
      expect({ name, ...(await errorOf(response)) }).toEqual({ name, status, code, retryable: false });
      if (status === 401) expect(response.headers.get('www-authenticate')).toBe('Bearer');
    }
    const deleted = await t.fetch(
      new Request('http://baton/sessions/s1', {
        method: 'DELETE',
        headers: { authorization: `Bearer ${good}` },
      }),
    );
    expect(await errorOf(deleted)).toMatchObject({ status: 403, code: 'insufficient_scope' });
    expect(await t.snapshot()).toBe(before);
  });

  it('never writes the key into the log', async () => {
    const t = authApp(apiKeys());
    const key = await t.key('acme');
    await t.fetch(post('/sessions/s1/messages', key, { text: 'hi' }));
    await t.fetch(post('/sessions/s1/messages', `${key.slice(0, -1)}x`, { text: 'hi' }));
    expect(JSON.stringify(t.logger.lines)).not.toContain(parseApiKey(key)!.secret);
  });

  it('refuses to start on a store without API keys', () => {
    const mode = apiKeys();
    const store = { apiKeys: undefined } as never;
    expect(() =>
      mode.check?.({ store, clock: new ManualClock(), env: {}, logger: console as never }),
    ).toThrow(ConfigurationError);
  });
});
