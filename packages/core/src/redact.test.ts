import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redactSecrets } from './redact.js';

const OPENAI = 'sk-proj-Abc123Def456Ghi789Jkl012Mno345';
const BATON = 'bk_abcdefghijklmnop_Q2hhbmdlTWUtdGhpcy1pcy1hLXRlc3Qta2V5LW9rYXk';
const JWT =
  'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTEiLCJ0ZW5hbnQiOiJhY21lIn0.c2lnbmF0dXJlLWJ5dGVz';

describe('redactSecrets', () => {
  it.each([
    ['an echoed Authorization header', `401: Authorization: Bearer ${OPENAI}`, OPENAI],
    ['a JSON-echoed authorization header', `{"authorization":"Bearer abc.def-ghi"}`, 'abc.def-ghi'],
    ['Basic credentials', 'authorization: Basic dXNlcjpodW50ZXIy', 'dXNlcjpodW50ZXIy'],
    ['a bare scheme-less Authorization value', 'Authorization=opaque-token-value', 'opaque-token-value'],
    [
      'a bearer token in prose',
      'sent Bearer 9f8e7d6c5b4a39281706f5e4 and got 401',
      '9f8e7d6c5b4a39281706f5e4',
    ],
    ['a Baton API key', `key ${BATON} was revoked`, BATON],
    ['an OpenAI project key', `Incorrect API key provided: ${OPENAI}.`, OPENAI],
    ['a plain OpenAI key', 'sk-1234567890abcdefghijABCDEFGHIJ', 'sk-1234567890abcdefghijABCDEFGHIJ'],
    ['a Slack bot token', 'token xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOp', 'xoxb-123456789012'],
    ['a Slack user token', 'xoxp-1111-2222-3333-abcdef', 'xoxp-1111-2222'],
    ['a Slack app token', 'xapp-1-A0123456789-0123456789-abcdef', 'xapp-1-A0123'],
    ['an AWS access key id', 'key AKIAIOSFODNN7EXAMPLE denied', 'AKIAIOSFODNN7EXAMPLE'],
    ['an AWS session key id', 'ASIAY34FZKBOKMUTVV7A expired', 'ASIAY34FZKBOKMUTVV7A'],
    [
      'an AWS secret in a credentials file',
      'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      'wJalrXUtnFEMI',
    ],
    [
      'an AWS secret in JSON',
      '{"SecretAccessKey":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}',
      'wJalrXUtnFEMI',
    ],
    ['an x-api-key header', 'x-api-key: 0123abcd-secret', '0123abcd-secret'],
    ['an api-key header', 'api-key: azure-key-value-42', 'azure-key-value-42'],
    ['a key query value', 'GET https://maps.example/geo?q=oslo&key=AIzaSyD-123_abc', 'AIzaSyD-123_abc'],
    ['an access_token query value', 'https://x.example/cb?access_token=ya29.a0Af&x=1', 'ya29.a0Af'],
    ['a password form value', 'user=bob&password=hunter2', 'hunter2'],
    ['a client_secret value', 'client_secret=s3cr3t-value', 's3cr3t-value'],
    ['a JSON password', '{"user":"bob","password":"hunter2"}', 'hunter2'],
    ['a JWT', `token rejected: ${JWT}`, 'c2lnbmF0dXJlLWJ5dGVz'],
    ['an unsigned JWT', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.', 'eyJzdWIiOiJ4In0'],
  ])('redacts %s', (_case, text, secret) => {
    const redacted = redactSecrets(text);
    expect(redacted).not.toContain(secret);
    expect(redacted).toContain('[redacted]');
  });

  it('keeps the words around a secret so the error stays readable', () => {
    expect(redactSecrets(`401 Unauthorized. Authorization: Bearer ${OPENAI} (check your key)`)).toBe(
      '401 Unauthorized. Authorization: Bearer [redacted] (check your key)',
    );
    expect(redactSecrets('GET /geo?q=oslo&key=abc123&lang=en failed')).toBe(
      'GET /geo?q=oslo&key=[redacted]&lang=en failed',
    );
  });

  it.each([
    'authorization failed: the caller has no credentials',
    'Bearer tokens expire after an hour',
    'the x-api-key header is missing',
    'sk-learn and task-management-system-for-everyone are words',
    'xoxo, the team',
    'AKIA is how AWS access key ids start',
    'monkey=banana&keyboard=qwerty&tokens=3&max_tokens=1024',
    'bk_notes is a table name',
    'eyJ is the base64 of {"',
    'a.b.c and v1.eyJ.x are not tokens',
    '{"input_tokens":12,"output_tokens":3}',
    'primary key = id, token count = 7',
    'مرحبا, password reset requested',
  ])('leaves text that only looks similar as is: %s', (text) => {
    expect(redactSecrets(text)).toBe(text);
  });

  it('never lets a generated key through, whatever surrounds it, and is idempotent', () => {
    const keyChars = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_');
    const base32 = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz234567');
    const secret = fc.oneof(
      fc.string({ unit: keyChars, minLength: 20, maxLength: 60 }).map((body) => `sk-${body}`),
      fc
        .tuple(
          fc.string({ unit: base32, minLength: 16, maxLength: 16 }),
          fc.string({ unit: keyChars, minLength: 43, maxLength: 43 }),
        )
        .map(([id, body]) => `bk_${id}_${body}`),
      fc
        .string({
          unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'),
          minLength: 16,
          maxLength: 16,
        })
        .map((body) => `AKIA${body}`),
    );
    const around = fc.string({
      unit: fc.constantFrom(' ', ':', '"', '(', ')', '\n', 'x', '=', ','),
      maxLength: 6,
    });
    fc.assert(
      fc.property(around, secret, around, (before, key, after) => {
        const once = redactSecrets(`${before} ${key} ${after}`);
        expect(once).not.toContain(key);
        expect(redactSecrets(once)).toBe(once);
      }),
    );
  });
});
