import { reply } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { kit } from '../test/kit.js';
import { ValidationError } from './errors.js';
import { type HttpRequest, handleHttp } from './http-routes.js';
import { isTenant, sessionRef } from './session-ref.js';

const BIDI = ['\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069'];
const MARKS = ['\u200E', '\u200F', '\u061C'];
const INVISIBLE = ['\u200B', '\u200C', '\u200D', '\u2060', '\u2061', '\u2062', '\u2063', '\u2064'];
const OTHER_INVISIBLE = ['\uFEFF', '\u00AD', '\u180E'];

function hex(char: string): string {
  return `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

function refusal(sessionId: string): ValidationError {
  try {
    sessionRef('acme', sessionId);
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error(`sessionRef accepted ${JSON.stringify(sessionId)}`);
}

describe('sessionRef', () => {
  it.each([...BIDI, ...MARKS].map((char) => [hex(char), char]))(
    'refuses the bidirectional control %s anywhere in the id',
    (code, char) => {
      for (const id of [`invoice${char}fdp.exe`, `${char}x`, `x${char}`]) {
        const error = refusal(id);
        expect(error.details).toMatchObject({ field: 'sessionId', refused: 'bidirectional control' });
        expect(error.message).toContain(code);
      }
    },
  );

  it.each([...INVISIBLE, ...OTHER_INVISIBLE].map((char) => [hex(char), char]))(
    'refuses the zero-width or invisible character %s',
    (code, char) => {
      const error = refusal(`chat${char}1`);
      expect(error.details).toMatchObject({
        field: 'sessionId',
        refused: 'zero-width or invisible',
        codePoint: code,
      });
    },
  );

  it('accepts ids in other scripts and with visible punctuation', () => {
    for (const id of ['مرحبا', 'שלום-1', 'チャット', 'emoji-🙂', 'team/channel/thread', 'a b', 'x\u00A0y']) {
      expect(sessionRef('acme', id).sessionId).toBe(id);
    }
  });

  it('accepts only ASCII tenants, so none carries a bidi or invisible character', () => {
    for (const char of [...BIDI, ...MARKS, ...INVISIBLE, ...OTHER_INVISIBLE, 'é', 'а']) {
      expect(isTenant(`acme${char}`)).toBe(false);
      expect(() => sessionRef(`acme${char}`, 's1')).toThrow(ValidationError);
    }
    expect(isTenant('acme.eu-1:prod_2')).toBe(true);
    expect(isTenant('')).toBe(false);
    expect(isTenant(42)).toBe(false);
  });
});

function request(method: string, path: string, body?: unknown): HttpRequest {
  return {
    method,
    path,
    query: new URLSearchParams(),
    headers: { 'content-type': 'application/json', 'x-baton-tenant': 'acme' },
    body: body === undefined ? undefined : JSON.stringify(body),
  };
}

describe('handleHttp with a spoofing session id', () => {
  it.each([
    ['a percent-encoded right-to-left override', '/sessions/invoice%E2%80%AEfdp.exe/messages'],
    ['a raw right-to-left override', '/sessions/invoice\u202Efdp.exe/messages'],
    ['an encoded zero-width space', '/sessions/chat%E2%80%8B1/messages'],
    ['an encoded byte order mark', '/sessions/%EF%BB%BFchat/messages'],
    ['an encoded soft hyphen', '/sessions/ch%C2%ADat/messages'],
    ['an encoded left-to-right isolate', '/sessions/%E2%81%A6chat%E2%81%A9/messages'],
  ])('answers 400 and creates nothing for %s', async (_case, path) => {
    const t = kit([reply('never')]);
    const response = await handleHttp(t.baton, request('POST', path, { text: 'hi' }), {
      deadline: t.later(),
    });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: { code: 'invalid_input', retryable: false } });
    expect((await t.baton.list({ tenant: 'acme' })).sessions).toEqual([]);
    expect(t.queue.messages).toEqual([]);
    expect(t.model.calls).toEqual([]);
  });

  it('answers 400 to reads and deletes of such an id too', async () => {
    const t = kit([]);
    for (const method of ['GET', 'DELETE']) {
      const response = await handleHttp(t.baton, request(method, '/sessions/a%E2%80%AEb'), {
        deadline: t.later(),
      });
      expect(response.status).toBe(400);
    }
  });
});
