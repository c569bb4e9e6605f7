import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeHttpEvent } from './http-event.js';
import { fixture, httpEvent } from './test-support/fixtures.js';

describe('normalizeHttpEvent', () => {
  it('lower-cases header names and folds cookies back into the cookie header', () => {
    const event = httpEvent('http-api-v2', {
      headers: { 'Idempotency-Key': 'k-1', 'X-Baton-Tenant': 'acme' },
    });
    const normalized = normalizeHttpEvent(event, {});
    if (!normalized.ok) throw new Error('expected a request');
    expect(normalized.request.headers).toMatchObject({
      'idempotency-key': 'k-1',
      'x-baton-tenant': 'acme',
      cookie: 'session=abc123; theme=dark',
    });
    expect(normalized.request).toMatchObject({
      method: 'POST',
      path: '/sessions/chat-1/messages',
      body: '{"text":"hello, baton"}',
    });
    expect(normalized.viaApiGateway).toBe(true);
  });

  it('keeps the query string when the request has one', () => {
    const normalized = normalizeHttpEvent(httpEvent('http-api-v2', { query: 'after=3&limit=2' }), {});
    if (!normalized.ok) throw new Error('expected a request');
    expect(normalized.request.query.get('after')).toBe('3');
    expect(normalized.request.query.get('limit')).toBe('2');
  });

  it('strips the stage and the greedy route prefix when both are in the path', () => {
    const normalized = normalizeHttpEvent(fixture('http-api-v2-named-stage'), {});
    expect(normalized).toMatchObject({ ok: true, request: { path: '/sessions/chat-1' } });
  });

  it('strips a configured base path instead of the route prefix when one is given', () => {
    const event = httpEvent('function-url', { path: '/v1/sessions/chat-1' });
    expect(normalizeHttpEvent(event, { basePath: '/v1/' })).toMatchObject({
      ok: true,
      request: { path: '/sessions/chat-1' },
      viaApiGateway: false,
    });
    expect(normalizeHttpEvent(httpEvent('function-url', { path: '/v1' }), { basePath: '/v1' })).toMatchObject(
      {
        request: { path: '/' },
      },
    );
  });

  it('leaves a path alone when the prefix only matches part of a segment', () => {
    const event = httpEvent('function-url', { path: '/v10/sessions' });
    expect(normalizeHttpEvent(event, { basePath: '/v1' })).toMatchObject({
      request: { path: '/v10/sessions' },
    });
  });

  it('keeps percent-encoding in the path so core decodes each segment once', () => {
    const event = httpEvent('function-url', { path: '/sessions/team%2Fchannel' });
    expect(normalizeHttpEvent(event, {})).toMatchObject({ request: { path: '/sessions/team%2Fchannel' } });
  });

  it('answers 400 instead of throwing when the event is anything else', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        const normalized = normalizeHttpEvent(value, {});
        if (!normalized.ok) expect(normalized.response.status).toBe(400);
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
          if (normalized.ok) expect(normalized.request.path.startsWith('/')).toBe(true);
          else expect(normalized.response.status).toBe(400);
        },
      ),
    );
  });
});
