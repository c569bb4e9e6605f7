import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeHttpEvent, toLambdaResult } from './http-event.js';
import { fixture, httpEvent } from './test-support/fixtures.js';

function requestOf(event: unknown, options = {}) {
  const normalized = normalizeHttpEvent(event, options);
  if (!normalized.ok) throw new Error(`expected a request, got ${normalized.result.body}`);
  return normalized;
}

const pathOf = (event: unknown, options = {}) => new URL(requestOf(event, options).request.url).pathname;

describe('normalizeHttpEvent', () => {
  it('keeps headers and folds cookies back into the cookie header', async () => {
    const event = httpEvent('http-api-v2', {
      headers: { 'Idempotency-Key': 'k-1', 'X-Baton-Tenant': 'acme' },
    });
    const { request, viaApiGateway, arrivedAt } = requestOf(event);
    expect(request.headers.get('idempotency-key')).toBe('k-1');
    expect(request.headers.get('x-baton-tenant')).toBe('acme');
    expect(request.headers.get('cookie')).toBe('session=abc123; theme=dark');
    expect(request.method).toBe('POST');
    expect(new URL(request.url).pathname).toBe('/sessions/chat-1/messages');
    expect(await request.text()).toBe('{"text":"hello, baton"}');
    expect(request.headers.get('content-length')).toBe('23');
    expect(viaApiGateway).toBe(true);
    expect(arrivedAt).toBe(1767225600000);
  });

  it('keeps the query string when the request has one', () => {
    const { request } = requestOf(httpEvent('http-api-v2', { query: 'after=3&limit=2' }));
    const query = new URL(request.url).searchParams;
    expect(query.get('after')).toBe('3');
    expect(query.get('limit')).toBe('2');
  });

  it('passes the exact bytes of a base64 body, whatever they are', async () => {
    const bytes = Buffer.from([0xef, 0xbb, 0xbf, 0xff, 0x00, 0x7b]);
    const event = {
      ...fixture<APIGatewayProxyEventV2>('function-url'),
      body: bytes.toString('base64'),
      isBase64Encoded: true,
    };
    const { request } = requestOf(event);
    expect(Buffer.from(await request.arrayBuffer())).toEqual(bytes);
  });

  it('strips the stage and the greedy route prefix when both are in the path', () => {
    expect(pathOf(fixture('http-api-v2-named-stage'))).toBe('/sessions/chat-1');
  });

  it('strips a configured base path instead of the route prefix when one is given', () => {
    const event = httpEvent('function-url', { path: '/v1/sessions/chat-1' });
    expect(pathOf(event, { basePath: '/v1/' })).toBe('/sessions/chat-1');
    expect(requestOf(event, { basePath: '/v1/' }).viaApiGateway).toBe(false);
    expect(pathOf(httpEvent('function-url', { path: '/v1' }), { basePath: '/v1' })).toBe('/');
  });

  it('leaves a path alone when the prefix only matches part of a segment', () => {
    expect(pathOf(httpEvent('function-url', { path: '/v10/sessions' }), { basePath: '/v1' })).toBe(
      '/v10/sessions',
    );
  });

  it('keeps percent-encoding in the path so the app decodes each segment once', () => {
    expect(pathOf(httpEvent('function-url', { path: '/sessions/team%2Fchannel' }))).toBe(
      '/sessions/team%2Fchannel',
    );
  });

  it('answers 400 when a base64 body is not base64', () => {
    const event = { ...fixture<APIGatewayProxyEventV2>('function-url'), body: '%%%not base64%%%' };
    const normalized = normalizeHttpEvent(event, {});
    expect(normalized).toMatchObject({ ok: false, result: { statusCode: 400 } });
  });

  it('answers 400 instead of throwing when the event is anything else', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        const normalized = normalizeHttpEvent(value, {});
        if (!normalized.ok) expect(normalized.result.statusCode).toBe(400);
      }),
    );
  });

  it('never throws on arbitrary bodies, paths and headers when the envelope is valid', () => {
    const base = fixture<APIGatewayProxyEventV2>('http-api-v2');
    fc.assert(
      fc.property(
        fc.string(),
        fc.string(),
        fc.boolean(),
        fc.dictionary(fc.string({ minLength: 1 }), fc.string()),
        (path, body, isBase64Encoded, headers) => {
          const normalized = normalizeHttpEvent(
            { ...base, rawPath: `/${path}`, body, isBase64Encoded, headers },
            {},
          );
          if (normalized.ok) expect(new URL(normalized.request.url).pathname.startsWith('/')).toBe(true);
          else expect(normalized.result.statusCode).toBe(400);
        },
      ),
    );
  });
});

describe('toLambdaResult', () => {
  it('keeps a text body a string and moves set-cookie headers to cookies', async () => {
    const headers = new Headers({ 'content-type': 'application/json' });
    headers.append('set-cookie', 'a=1');
    headers.append('set-cookie', 'b=2');
    const result = await toLambdaResult(new Response('{"ok":true}', { status: 201, headers }));
    expect(result).toEqual({
      statusCode: 201,
      headers: { 'content-type': 'application/json' },
      cookies: ['a=1', 'b=2'],
      body: '{"ok":true}',
      isBase64Encoded: false,
    });
  });

  it('base64-encodes a body that is not text', async () => {
    const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0xff]);
    const result = await toLambdaResult(new Response(bytes, { headers: { 'content-type': 'image/png' } }));
    expect(result).toMatchObject({ isBase64Encoded: true, body: Buffer.from(bytes).toString('base64') });
  });
});
