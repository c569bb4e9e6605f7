import { request as httpRequest } from 'node:http';
import type { Answer, BadInputCase } from './corpus.js';
import type { CorpusWorld } from './corpus-world.js';

const JSON_TYPE = { 'content-type': 'application/json' };

/** The Idempotency-Key bad-input.ts uses once, with IDEMPOTENT_BODY, before the corpus runs. */
export const REUSED_KEY = 'reused-key-1';
export const IDEMPOTENT_SESSION = 'keyed';
export const IDEMPOTENT_BODY = '{"text":"hello once"}';

/**
 * What a browser or a rebound DNS name can be made to send, and bodies and ids that lie about
 * themselves (issue 14): a body without JSON's Content-Type, a foreign Origin or a cross-site
 * fetch, a non-local Host, bytes that are not UTF-8, session ids that spoof others, and an
 * Idempotency-Key reused for another request.
 */
export function requestSafetyCases(world: CorpusWorld): BadInputCase[] {
  const send =
    (method: string, path: string, headers: Record<string, string>, body?: string | Uint8Array) => () =>
      world.http(method, path, { headers, ...(body !== undefined ? { body } : {}) });
  const bytes = (text: string) => new TextEncoder().encode(text);
  const message = '/sessions/victim/messages';
  const approval = '/sessions/victim/approvals/mail-ana';
  const foreign = { ...JSON_TYPE, origin: 'https://attacker.example' };
  const crossSite = { ...JSON_TYPE, 'sec-fetch-site': 'cross-site' };
  const spoofed = (name: string, encoded: string): [string, Answer, () => Promise<Answer>] => [
    `a session id with ${name}`,
    { status: 400, code: 'invalid_input' },
    send('POST', `/sessions/inv${encoded}oice/messages`, JSON_TYPE, '{"text":"hi"}'),
  ];
  const cases: [name: string, expected: Answer, send: () => Promise<Answer>][] = [
    [
      'a message without Content-Type',
      { status: 415, code: 'unsupported_media_type' },
      // Bytes, so fetch adds no Content-Type of its own (a string would get text/plain).
      send('POST', message, {}, bytes('{"text":"hi"}')),
    ],
    [
      'an approval without Content-Type',
      { status: 415, code: 'unsupported_media_type' },
      send('POST', approval, {}, bytes('{"approved":true}')),
    ],
    [
      'an approval as text/plain (a no-cors fetch)',
      { status: 415, code: 'unsupported_media_type' },
      send('POST', approval, { 'content-type': 'text/plain;charset=UTF-8' }, '{"approved":true}'),
    ],
    [
      'an approval as a form',
      { status: 415, code: 'unsupported_media_type' },
      send('POST', approval, { 'content-type': 'application/x-www-form-urlencoded' }, 'approved=true'),
    ],
    [
      'a DELETE with a text/plain body',
      { status: 415, code: 'unsupported_media_type' },
      send('DELETE', '/sessions/victim', { 'content-type': 'text/plain' }, '{}'),
    ],
    [
      'a message from a foreign Origin',
      { status: 403, code: 'origin_not_allowed' },
      send('POST', message, foreign, '{"text":"hi"}'),
    ],
    [
      'an approval from a foreign Origin',
      { status: 403, code: 'origin_not_allowed' },
      send('POST', approval, foreign, '{"approved":true}'),
    ],
    [
      'a DELETE from a foreign Origin',
      { status: 403, code: 'origin_not_allowed' },
      send('DELETE', '/sessions/victim', { origin: 'https://attacker.example' }),
    ],
    [
      'a read from a foreign Origin',
      { status: 403, code: 'origin_not_allowed' },
      send('GET', '/sessions/victim', { origin: 'https://attacker.example' }),
    ],
    [
      'an approval from another local port',
      { status: 403, code: 'origin_not_allowed' },
      send('POST', approval, { ...JSON_TYPE, origin: 'http://127.0.0.1:1' }, '{"approved":true}'),
    ],
    [
      'an approval with Origin null (a sandboxed page)',
      { status: 403, code: 'origin_not_allowed' },
      send('POST', approval, { ...JSON_TYPE, origin: 'null' }, '{"approved":true}'),
    ],
    [
      'a message with Sec-Fetch-Site cross-site',
      { status: 403, code: 'origin_not_allowed' },
      send('POST', message, crossSite, '{"text":"hi"}'),
    ],
    [
      'an approval with Sec-Fetch-Site cross-site',
      { status: 403, code: 'origin_not_allowed' },
      send('POST', approval, crossSite, '{"approved":true}'),
    ],
    [
      'a message whose body is not UTF-8',
      { status: 400, code: 'invalid_encoding' },
      send('POST', message, JSON_TYPE, new Uint8Array([...bytes('{"text":"'), 0xff, 0xfe, ...bytes('"}')])),
    ],
    [
      'an approval whose reason is not UTF-8',
      { status: 400, code: 'invalid_encoding' },
      send(
        'POST',
        approval,
        JSON_TYPE,
        new Uint8Array([...bytes('{"approved":true,"reason":"'), 0xc3, 0x28, ...bytes('"}')]),
      ),
    ],
    [
      'a message with a lone surrogate encoded as UTF-8 bytes',
      { status: 400, code: 'invalid_encoding' },
      send(
        'POST',
        message,
        JSON_TYPE,
        new Uint8Array([...bytes('{"text":"'), 0xed, 0xa0, 0x80, ...bytes('"}')]),
      ),
    ],
    spoofed('a right-to-left override (U+202E)', '%E2%80%AE'),
    spoofed('a left-to-right embedding (U+202A)', '%E2%80%AA'),
    spoofed('a first strong isolate (U+2068)', '%E2%81%A8'),
    spoofed('a right-to-left mark (U+200F)', '%E2%80%8F'),
    spoofed('an Arabic letter mark (U+061C)', '%D8%9C'),
    spoofed('a zero-width space (U+200B)', '%E2%80%8B'),
    spoofed('a zero-width joiner (U+200D)', '%E2%80%8D'),
    spoofed('a word joiner (U+2060)', '%E2%81%A0'),
    spoofed('a byte order mark (U+FEFF)', '%EF%BB%BF'),
    spoofed('a soft hyphen (U+00AD)', '%C2%AD'),
    [
      'a read of a session id with a right-to-left override',
      { status: 400, code: 'invalid_input' },
      send('GET', '/sessions/victim%E2%80%AE', {}),
    ],
    [
      'an Idempotency-Key reused with another body',
      { status: 422, code: 'idempotency_key_reused' },
      send(
        'POST',
        `/sessions/${IDEMPOTENT_SESSION}/messages`,
        { ...JSON_TYPE, 'idempotency-key': REUSED_KEY },
        '{"text":"hello twice, differently"}',
      ),
    ],
    ['a non-local Host (DNS rebinding)', { status: 403 }, rawHost(world, 'GET', '/sessions/victim')],
    [
      'an approval for a non-local Host (DNS rebinding)',
      { status: 403 },
      rawHost(world, 'POST', approval, '{"approved":true}'),
    ],
    [
      'a Host of another name',
      { status: 403 },
      rawHost(world, 'GET', '/sessions', undefined, 'evil.example'),
    ],
  ];
  return cases.map(([name, expected, sendCase]) => ({ entry: 'http', name, expected, send: sendCase }));
}

/** A request with a Host header fetch would not send: what a browser sends to a rebound DNS name. */
function rawHost(
  world: CorpusWorld,
  method: string,
  path: string,
  body?: string,
  hostname = 'attacker.example',
): () => Promise<Answer> {
  return () =>
    new Promise((resolve, reject) => {
      const { port } = new URL(world.url);
      const outgoing = httpRequest(
        {
          host: '127.0.0.1',
          port,
          method,
          path,
          headers: { host: `${hostname}:${port}`, 'content-type': 'application/json' },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            let code: string | undefined;
            try {
              code = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { error?: { code?: string } })
                .error?.code;
            } catch {
              code = undefined;
            }
            resolve({ status: response.statusCode ?? 0, ...(code ? { code } : {}) });
          });
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });
}
