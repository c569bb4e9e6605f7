import { describe, expect, it } from 'vitest';
import { authApp } from '../../test/auth-kit.js';
import { isLocalHost } from '../auth/browser-safety.js';

function post(
  url: string,
  headers: Record<string, string>,
  body: string | Uint8Array = '{"text":"hi"}',
): Request {
  return new Request(url, { method: 'POST', headers, body });
}

async function code(response: Response): Promise<[number, string]> {
  const body = (await response.json()) as { error: { code: string } };
  return [response.status, body.error.code];
}

const JSON_TYPE = { 'content-type': 'application/json' };

describe('browser safety in app.fetch', () => {
  it('refuses what a page on another origin sends, and changes nothing', async () => {
    const t = authApp(undefined, { localOnly: true });
    const before = await t.snapshot();
    const url = 'http://127.0.0.1:3000/sessions/s1/approvals/e1';
    const cases: [string, Request, number, string][] = [
      [
        'foreign Origin',
        post(url, { ...JSON_TYPE, origin: 'https://evil.example' }),
        403,
        'origin_not_allowed',
      ],
      ['opaque Origin', post(url, { ...JSON_TYPE, origin: 'null' }), 403, 'origin_not_allowed'],
      [
        'cross-site fetch',
        post(url, { ...JSON_TYPE, 'sec-fetch-site': 'cross-site' }),
        403,
        'origin_not_allowed',
      ],
      [
        'no-cors text/plain',
        post(url, { 'content-type': 'text/plain' }, '{"approved":true}'),
        415,
        'unsupported_media_type',
      ],
      ['no Content-Type', post(url, {}, '{"approved":true}'), 415, 'unsupported_media_type'],
      [
        'form post',
        post(url, { 'content-type': 'application/x-www-form-urlencoded' }, 'approved=true'),
        415,
        'unsupported_media_type',
      ],
      ['rebound DNS name', post(url, { ...JSON_TYPE, host: 'attacker.example' }), 403, 'host_not_allowed'],
      [
        'rebound name with a port',
        post(url, { ...JSON_TYPE, host: 'attacker.example:3000' }),
        403,
        'host_not_allowed',
      ],
      [
        'localhost lookalike',
        post(url, { ...JSON_TYPE, host: 'localhost.attacker.example' }),
        403,
        'host_not_allowed',
      ],
      [
        'a foreign Origin on a local Host',
        post(url, { ...JSON_TYPE, host: 'localhost:3000', origin: 'http://evil.example:3000' }),
        403,
        'origin_not_allowed',
      ],
      [
        'invalid UTF-8',
        post(
          'http://127.0.0.1:3000/sessions/s1/messages',
          JSON_TYPE,
          new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
        ),
        400,
        'invalid_encoding',
      ],
    ];
    for (const [name, request, status, expected] of cases) {
      expect([name, ...(await code(await t.fetch(request)))]).toEqual([name, status, expected]);
    }
    expect(await t.snapshot()).toBe(before);
  });

  it('serves its own origin, whichever local name the browser used, and no Origin at all', async () => {
    const t = authApp(undefined, { localOnly: true });
    const url = 'http://127.0.0.1:3000/sessions/s1/messages';
    const allowed = [
      post(url, JSON_TYPE),
      post(url, { ...JSON_TYPE, origin: 'http://127.0.0.1:3000' }),
      post(url, {
        ...JSON_TYPE,
        host: 'localhost:3000',
        origin: 'http://localhost:3000',
        'sec-fetch-site': 'same-origin',
      }),
      post(url, { ...JSON_TYPE, host: '[::1]:3000' }),
      post(url, { ...JSON_TYPE, 'content-type': 'application/json; charset=utf-8' }),
    ];
    for (const request of allowed) expect((await t.fetch(request)).status).toBe(200);
  });

  it('accepts the origins BATON_ALLOWED_ORIGINS lists, and only those', async () => {
    const t = authApp('none', {
      env: { BATON_ALLOWED_ORIGINS: 'https://app.example, https://admin.example/' },
    });
    const url = 'https://api.example/sessions/s1/messages';
    expect((await t.fetch(post(url, { ...JSON_TYPE, origin: 'https://admin.example' }))).status).toBe(200);
    expect((await t.fetch(post(url, { ...JSON_TYPE, origin: 'https://api.example' }))).status).toBe(200);
    expect(
      await code(await t.fetch(post(url, { ...JSON_TYPE, origin: 'https://app.example.evil' }))),
    ).toEqual([403, 'origin_not_allowed']);
    // Not local-only: any Host is served (a deployed host behind its own domain).
    expect((await t.fetch(post(url, { ...JSON_TYPE, host: 'api.example' }))).status).toBe(200);
  });

  it('refuses a body over the limit with 413 whether or not its length was declared', async () => {
    const t = authApp('none', { maxBodyBytes: 64 });
    const big = JSON.stringify({ text: 'x'.repeat(100) });
    const response = await t.fetch(post('http://baton/sessions/s1/messages', JSON_TYPE, big));
    expect(await code(response)).toEqual([413, 'payload_too_large']);
    expect((await t.store.list({ tenant: 'default' })).sessions).toEqual([]);
  });

  it('knows a local Host from a lookalike', () => {
    for (const host of [
      'localhost',
      'localhost:3000',
      '127.0.0.1:8787',
      '[::1]',
      '[::1]:3000',
      'LOCALHOST:1',
    ]) {
      expect([host, isLocalHost(host)]).toEqual([host, true]);
    }
    for (const host of [
      '',
      'attacker.example',
      '127.0.0.2',
      'localhost.evil',
      '127.0.0.1.nip.io',
      '[::2]:3000',
      'localhost:x',
    ]) {
      expect([host, isLocalHost(host)]).toEqual([host, false]);
    }
  });
});
