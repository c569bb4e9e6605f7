import { join } from 'node:path';
import { apiKeys, defineBaton, generateApiKey, type Scope, silentLogger, systemClock } from '@baton/core';
import { createExampleAgent, offlineDemoModel } from '@baton/example-agent';
import { SqliteStore } from '@baton/store-sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LocalConfig } from '../config.js';
import { type LocalApp, startLocalApp } from '../local-app.js';
import { tempDir } from '../test-support/session-fixtures.js';

let app: LocalApp;
let dbPath: string;

function config(dataDir: string): LocalConfig {
  return {
    host: '127.0.0.1',
    port: 0,
    dataDir,
    dbPath: join(dataDir, 'baton.db'),
    syncWaitMs: 10_000,
    runBudgetMs: 300_000,
    // As a deployed host: no request without credentials is the local developer.
    requireAuth: true,
  };
}

/** A key as `baton keys create` makes it: stored hashed in the server's SQLite file. */
async function createKey(tenant: string, scopes: Scope[]): Promise<{ key: string; keyId: string }> {
  const { key, record } = generateApiKey({ tenant, scopes }, systemClock);
  const store = new SqliteStore({ path: dbPath });
  await store.apiKeys.createApiKey(record);
  await store.close();
  return { key, keyId: record.keyId };
}

async function revokeKey(keyId: string): Promise<void> {
  const store = new SqliteStore({ path: dbPath });
  await store.apiKeys.revokeApiKey(keyId, systemClock.now());
  await store.close();
}

/** The console's sign-in form, as a browser posts it; the cookie pair (`name=value`) or null. */
async function signIn(
  key: string,
): Promise<{ status: number; cookie: string | null; setCookie: string | null }> {
  const response = await fetch(`${app.url}/console/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ key }).toString(),
    redirect: 'manual',
  });
  const setCookie = response.headers.get('set-cookie');
  return { status: response.status, cookie: setCookie?.split(';')[0] ?? null, setCookie };
}

async function waitingSession(key: string, sessionId: string): Promise<string> {
  const sent = await fetch(`${app.url}/sessions/${sessionId}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ text: 'email bob@example.com Quarterly report' }),
  });
  const answer = (await sent.json()) as { state: string };
  expect(answer.state).toBe('waiting_approval');
  const session = (await (
    await fetch(`${app.url}/sessions/${sessionId}`, { headers: { authorization: `Bearer ${key}` } })
  ).json()) as { session: { pendingApprovals: { callId: string }[] } };
  return session.session.pendingApprovals[0]!.callId;
}

/** What the console's Approve button sends: JSON, same origin, the cookie and no other credential. */
function approve(cookie: string, sessionId: string, callId: string): Promise<Response> {
  return fetch(`${app.url}/sessions/${sessionId}/approvals/${callId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, origin: app.url },
    body: JSON.stringify({ approved: true }),
  });
}

beforeEach(async () => {
  const dataDir = tempDir();
  dbPath = join(dataDir, 'baton.db');
  app = await startLocalApp(
    defineBaton({ agents: [createExampleAgent(offlineDemoModel())], auth: apiKeys() }),
    config(dataDir),
    { logger: silentLogger, env: {} },
  );
});

afterEach(async () => {
  await app.stop();
});

describe('console sign-in with an API key (local server, auth: apiKeys())', () => {
  it('serves the API only with a key of the same SQLite file', async () => {
    expect(app.auth).toContain('API keys');
    expect((await fetch(`${app.url}/sessions/s1`)).status).toBe(401);
    const { key } = await createKey('acme', ['read']);
    const read = await fetch(`${app.url}/sessions/s1`, { headers: { authorization: `Bearer ${key}` } });
    expect(read.status).toBe(404);
  });

  it('sends a browser without a session to the sign-in form, and a script gets the JSON 401', async () => {
    const page = await fetch(`${app.url}/console`, { headers: { accept: 'text/html' }, redirect: 'manual' });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/console/login');
    const script = await fetch(`${app.url}/console`);
    expect(script.status).toBe(401);
    expect(((await script.json()) as { error: { code: string } }).error.code).toBe('unauthenticated');
    const form = await fetch(`${app.url}/console/login`);
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('name="key"');
  });

  it('signs in with a key: an HttpOnly, SameSite=Strict cookie that holds no part of the key', async () => {
    const { key, keyId } = await createKey('acme', ['send', 'read']);
    expect((await signIn('bk_wrong')).status).toBe(401);
    expect((await signIn('bk_wrong')).setCookie).toBeNull();
    const signedIn = await signIn(key);
    expect(signedIn.status).toBe(303);
    expect(signedIn.setCookie).toMatch(/; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
    const secret = key.slice(`bk_${keyId}_`.length);
    expect(signedIn.setCookie).not.toContain(secret);
    expect(signedIn.setCookie).not.toContain(key);
    await fetch(`${app.url}/sessions/mine/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ text: 'hello' }),
    });
    const list = await fetch(`${app.url}/console`, { headers: { cookie: signedIn.cookie! } });
    expect(list.status).toBe(200);
    expect(await list.text()).toContain('mine');
  });

  it("refuses a revoked key's cookie at once", async () => {
    const { key, keyId } = await createKey('acme', ['read']);
    const { cookie } = await signIn(key);
    expect((await fetch(`${app.url}/console`, { headers: { cookie: cookie! } })).status).toBe(200);
    await revokeKey(keyId);
    const refused = await fetch(`${app.url}/console`, { headers: { cookie: cookie! } });
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('invalid_credentials');
    expect((await signIn(key)).status).toBe(401);
  });

  it('refuses a forged or altered cookie', async () => {
    const { key } = await createKey('acme', ['read']);
    const other = await createKey('other', ['read', 'approve']);
    const { cookie } = await signIn(key);
    const [name, value] = cookie!.split('=') as [string, string];
    const [keyId, expiry, mac] = value.split('.') as [string, string, string];
    const forged = [
      `${other.keyId}.${expiry}.${mac}`, // another key, the same signature
      `${keyId}.${Number(expiry) + 86_400_000}.${mac}`, // a later expiry
      `${keyId}.${expiry}.${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`, // a changed signature
      `${keyId}.${expiry}`, // no signature
      key, // the key itself is not a session
    ];
    for (const bad of forged) {
      const response = await fetch(`${app.url}/console`, { headers: { cookie: `${name}=${bad}` } });
      expect(response.status).toBe(401);
    }
  });

  it("lets the console's Approve act with the key's scopes only, and never from another origin", async () => {
    const writer = await createKey('acme', ['send', 'read']);
    const callId = await waitingSession(writer.key, 'mail');
    const reader = await signIn(writer.key);
    const refused = await approve(reader.cookie!, 'mail', callId);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('insufficient_scope');
    const approver = await signIn((await createKey('acme', ['read', 'approve'])).key);
    const crossSite = await fetch(`${app.url}/sessions/mail/approvals/${callId}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        cookie: approver.cookie!,
        origin: 'http://evil.example',
      },
      body: JSON.stringify({ approved: true }),
    });
    expect(crossSite.status).toBe(403);
    const stillWaiting = await fetch(`${app.url}/sessions/mail`, {
      headers: { authorization: `Bearer ${writer.key}` },
    });
    expect(((await stillWaiting.json()) as { session: { status: string } }).session.status).toBe(
      'waiting_approval',
    );
    expect((await approve(approver.cookie!, 'mail', callId)).status).toBe(202);
    // A key of another tenant signs in, but sees and decides nothing of acme's.
    const stranger = await signIn((await createKey('other', ['read', 'approve'])).key);
    const page = await fetch(`${app.url}/console/sessions/mail?tenant=acme`, {
      headers: { cookie: stranger.cookie! },
    });
    expect(page.status).toBe(403);
  });
});

describe('baton serve on 127.0.0.1 with auth: apiKeys() and no BATON_REQUIRE_AUTH', () => {
  it('takes a request without credentials as the local developer, and still checks every credential sent', async () => {
    await app.stop();
    const dataDir = tempDir();
    dbPath = join(dataDir, 'baton.db');
    app = await startLocalApp(
      defineBaton({ agents: [createExampleAgent(offlineDemoModel())], auth: apiKeys() }),
      { ...config(dataDir), requireAuth: false },
      { logger: silentLogger, env: {} },
    );
    const anonymous = await fetch(`${app.url}/sessions`, { headers: { 'x-baton-tenant': 'acme' } });
    expect(anonymous.status).toBe(200);
    const forged = await fetch(`${app.url}/sessions`, {
      headers: { authorization: 'Bearer bk_0000000000000000_x' },
    });
    expect(forged.status).toBe(401);
    const { key } = await createKey('acme', ['read']);
    const reader = await fetch(`${app.url}/sessions`, {
      headers: { authorization: `Bearer ${key}`, 'x-baton-tenant': 'other' },
    });
    expect(reader.status).toBe(403);
    // A page on another origin gets no local identity either.
    const foreign = await fetch(`${app.url}/sessions/s1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'http://evil.example' },
      body: '{"text":"hi"}',
    });
    expect(foreign.status).toBe(403);
  });
});
