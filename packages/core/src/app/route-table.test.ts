import { describe, expect, it } from 'vitest';
import { authApp } from '../../test/auth-kit.js';
import { apiKeys } from '../auth/api-keys.js';
import type { Identity } from '../auth/identity.js';
import type { RouteSpec } from '../auth/route-spec.js';
import { pathMatches } from '../auth/route-table.js';
import type { Channel, Route } from './channel.js';

/** A concrete request path for a route pattern. */
function concrete(path: string): string {
  return path.replace(/\{[^}]*\*\}/g, 'any/thing').replace(/\{[^}]*\}/g, 'x1');
}

function requestFor(spec: RouteSpec, headers: Record<string, string> = {}): Request {
  const body =
    spec.method === 'GET' || spec.method === 'DELETE'
      ? undefined
      : JSON.stringify({ text: 'hi', approved: true });
  return new Request(`http://baton${concrete(spec.path)}`, {
    method: spec.method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(body ? { body } : {}),
  });
}

/** A host route and a channel that record what reached them. */
function fixtures() {
  const seen: { owner: string; path: string; identity: Identity | null }[] = [];
  const consoleRoute: Route = {
    specs: [
      { method: 'GET', path: '/console/login', access: 'public', owner: 'console' },
      { method: 'GET', path: '/console/{rest*}', access: 'read', owner: 'console' },
      { method: 'POST', path: '/console/api/{rest*}', access: 'approve', owner: 'console' },
    ],
    async fetch(request, identity) {
      seen.push({ owner: 'console', path: new URL(request.url).pathname, identity });
      return new Response('console');
    },
  };
  const channel = {
    name: 'chat',
    routes: [{ method: 'POST', path: '/chat/events', access: 'signed', owner: 'chat' }],
    async fetch(request: Request) {
      seen.push({ owner: 'chat', path: new URL(request.url).pathname, identity: null });
      return new Response('chat');
    },
    owns: () => false,
  } satisfies Channel;
  return { seen, consoleRoute, channel };
}

describe('the route table', () => {
  it('lists the API, each channel and each host route, and every route not public refuses a caller without credentials', async () => {
    const { seen, consoleRoute, channel } = fixtures();
    const t = authApp(apiKeys(), { routes: [consoleRoute] }, [() => channel]);
    const table = t.app.routes();
    expect(table.map((spec) => `${spec.method} ${spec.path} ${spec.access}`)).toEqual(
      expect.arrayContaining([
        'GET /healthz public',
        'GET /sessions read',
        'GET /sessions/{id} read',
        'DELETE /sessions/{id} admin',
        'POST /sessions/{id}/messages send',
        'GET /sessions/{id}/events read',
        'POST /sessions/{id}/approvals/{callId} approve',
        'GET /console/{rest*} read',
        'POST /chat/events signed',
      ]),
    );
    const before = await t.snapshot();
    for (const spec of table.filter((one) => one.access !== 'public' && one.access !== 'signed')) {
      const response = await t.fetch(requestFor(spec));
      expect([spec.method, spec.path, response.status]).toEqual([spec.method, spec.path, 401]);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('unauthenticated');
      const foreign = await t.fetch(
        requestFor(spec, { 'x-baton-tenant': 'globex', 'x-baton-user': 'UBOSS' }),
      );
      expect(foreign.status).toBe(401);
    }
    expect(seen).toEqual([]);
    expect(await t.snapshot()).toBe(before);
  });

  it('answers 404 for a path no route has and 405 with Allow for a method a route lacks, before authenticating', async () => {
    const t = authApp(apiKeys());
    const cases: [string, string, number, string | null][] = [
      ['GET', '/nope', 404, null],
      ['GET', '/sessions/a/b/c/d', 404, null],
      ['PUT', '/sessions/s1', 405, 'GET, DELETE'],
      ['POST', '/sessions', 405, 'GET'],
      ['GET', '/sessions/s1/messages', 405, 'POST'],
      ['OPTIONS', '/sessions/s1', 405, 'GET, DELETE'],
      ['POST', '/healthz', 405, 'GET'],
    ];
    for (const [method, path, status, allow] of cases) {
      const response = await t.fetch(new Request(`http://baton${path}`, { method }));
      expect([method, path, response.status, response.headers.get('allow')]).toEqual([
        method,
        path,
        status,
        allow,
      ]);
      const body = (await response.json()) as { error: { retryable: boolean } };
      expect(body.error.retryable).toBe(false);
    }
    expect((await t.fetch(new Request('http://baton/healthz'))).status).toBe(200);
    expect((await t.fetch(new Request('http://baton/healthz', { method: 'HEAD' }))).status).toBe(200);
  });

  it('sends a channel only its own routes, unauthenticated (it checks their signatures), and a host route its identity', async () => {
    const { seen, consoleRoute, channel } = fixtures();
    const t = authApp(apiKeys(), { routes: [consoleRoute] }, [() => channel]);
    const signed = await t.fetch(
      new Request('http://baton/chat/events', {
        method: 'POST',
        body: 'payload=form',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
    );
    expect(signed.status).toBe(200);
    expect(seen.at(-1)).toEqual({ owner: 'chat', path: '/chat/events', identity: null });
    expect(
      (await t.fetch(new Request('http://baton/chat/other', { method: 'POST', body: '{}' }))).status,
    ).toBe(404);
    const key = await t.key('acme', ['read']);
    expect((await t.fetch(new Request('http://baton/console/login'))).status).toBe(200);
    expect(seen.at(-1)).toEqual({ owner: 'console', path: '/console/login', identity: null });
    const page = await t.fetch(
      new Request('http://baton/console/sessions', { headers: { 'x-api-key': key } }),
    );
    expect(page.status).toBe(200);
    expect(seen.at(-1)?.identity).toMatchObject({ tenant: 'acme', via: 'api_key' });
    const action = await t.fetch(
      new Request('http://baton/console/api/decide', {
        method: 'POST',
        headers: { 'x-api-key': key, 'content-type': 'application/json' },
        body: '{}',
      }),
    );
    expect(action.status).toBe(403);
    expect(seen).toHaveLength(3);
  });

  it('matches {name} to one segment and a trailing {name*} to the rest', () => {
    expect(pathMatches('/sessions/{id}', '/sessions/a%2Fb')).toBe(true);
    expect(pathMatches('/sessions/{id}', '/sessions/a/b')).toBe(false);
    expect(pathMatches('/sessions/{id}', '/sessions')).toBe(false);
    expect(pathMatches('/console/{rest*}', '/console')).toBe(true);
    expect(pathMatches('/console/{rest*}', '/console/a/b/c')).toBe(true);
    expect(pathMatches('/console/{rest*}', '/consoles/a')).toBe(false);
  });

  it('refuses to start with a route claimed twice or an unknown access', () => {
    const twice: Route = {
      specs: [{ method: 'GET', path: '/sessions/{sid}', access: 'public', owner: 'console' }],
      fetch: async () => null,
    };
    expect(() => authApp(apiKeys(), { routes: [twice] })).toThrow(/claimed by both console and api/);
    const unknown: Route = {
      specs: [{ method: 'GET', path: '/x', access: 'everyone' as 'public', owner: 'console' }],
      fetch: async () => null,
    };
    expect(() => authApp(apiKeys(), { routes: [unknown] })).toThrow(/unknown access/);
  });
});
