import { join } from 'node:path';
import type { Identity, SessionStore } from '@baton/core';
import { SqliteStore } from '@baton/store-sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createConsoleHandler } from './console-handler.js';
import type { ConsoleHandler, ConsoleResponse } from './console-types.js';
import { keyIdentity, LOCAL_IDENTITY } from './test-support/identities.js';
import { appendEvents, everyKind, tempDir } from './test-support/session-fixtures.js';

let store: SessionStore;
let console_: ConsoleHandler;

async function get(
  path: string,
  identity: Identity | null = LOCAL_IDENTITY,
): Promise<{ status: number; body: string; headers: Record<string, string> }> {
  const [pathname, search] = path.split('?');
  const response: ConsoleResponse = await console_({
    method: 'GET',
    path: pathname!,
    query: new URLSearchParams(search ?? ''),
    headers: {},
    identity,
  });
  if (!('body' in response)) throw new Error('expected a page, got a stream');
  return response;
}

beforeEach(() => {
  store = new SqliteStore({ path: join(tempDir(), 'console.db') });
  console_ = createConsoleHandler({ store });
});

afterEach(async () => {
  await console_.close();
  await store.close?.();
});

describe('console session list', () => {
  it('lists sessions with links, and filters by status and tenant', async () => {
    await appendEvents(store, { tenant: 'acme', sessionId: 's-idle' }, [
      { kind: 'input', text: 'hi', source: 'http' },
    ]);
    await appendEvents(
      store,
      { tenant: 'acme', sessionId: 's-waiting' },
      [{ kind: 'input', text: 'hi', source: 'http' }],
      {
        head: { status: 'waiting_approval' },
      },
    );
    await appendEvents(
      store,
      { tenant: 'other', sessionId: 's-failed' },
      [{ kind: 'input', text: 'hi', source: 'http' }],
      {
        head: { status: 'failed' },
      },
    );
    const all = await get('/console');
    expect(all.status).toBe(200);
    expect(all.headers['content-type']).toMatch(/^text\/html/);
    expect(all.body).toContain('href="/console/sessions/s-idle?tenant=acme"');
    expect(all.body).toContain('s-failed');
    const waiting = await get('/console?status=waiting_approval');
    expect(waiting.body).toContain('s-waiting');
    expect(waiting.body).not.toContain('s-idle');
    const errors = await get('/console?status=failed');
    expect(errors.body).toContain('s-failed');
    expect(errors.body).not.toContain('s-waiting');
    const tenant = await get('/console?tenant=other');
    expect(tenant.body).toContain('s-failed');
    expect(tenant.body).not.toContain('s-idle');
  });

  it('answers 400 for a status that does not exist', async () => {
    const page = await get('/console?status=bogus');
    expect(page.status).toBe(400);
    expect(page.body).toContain('status must be one of');
  });
});

describe('console session page', () => {
  it('renders every event kind with the figures an operator asks about', async () => {
    const ref = { tenant: 'acme', sessionId: 'every-kind' };
    await appendEvents(store, ref, everyKind());
    const page = await get('/console/sessions/every-kind?tenant=acme');
    expect(page.status).toBe(200);
    const kinds = [...page.body.matchAll(/class="step step-([a-z_]+)/g)].map((match) => match[1]);
    expect(new Set(kinds)).toEqual(new Set(everyKind().map((body) => body.kind)));
    // Model call: provider, model, tokens, latency.
    expect(page.body).toContain('openai · gpt-5-mini · 1,200 in (200 cached) / 300 out · 1.2 s');
    // Tool calls: arguments, result, duration, and the at-most-once unknown outcome.
    expect(page.body).toContain('outcome unknown (at-most-once: started once, never re-run)');
    expect(page.body).toContain('call-a · 42 ms');
    expect(page.body).toContain('&quot;saved&quot;: &quot;plain&quot;');
    expect(page.body).toContain('Continued in a new invocation');
    expect(page.body).toContain('Rejected <span class="meta">call-b by grace</span>');
    // Cost from the model_response's usage: 1000 uncached * 0.25 + 200 cached * 0.025 + 300 out * 2, per million.
    expect(page.body).toContain('$0.0009');
    expect(page.body).toContain('hello plain');
    expect(page.body).toContain(
      'data-stream-url="/console/sessions/every-kind/stream?tenant=acme&amp;after=14"',
    );
  });

  it('shows Approve and Reject buttons that post to the approval route of the HTTP API', async () => {
    const ref = { tenant: 'acme', sessionId: 'needs/approval' };
    await appendEvents(
      store,
      ref,
      [
        { kind: 'input', text: 'email bob', source: 'http' },
        {
          kind: 'model_response',
          text: '',
          toolCalls: [{ callId: 'call 7', name: 'send_email', arguments: '{"to":"bob@example.com"}' }],
          usage: { inputTokens: 1, outputTokens: 1 },
          stopReason: 'tool_calls',
          provider: 'openai',
          model: 'gpt-5-mini',
          latencyMs: 5,
        },
        { kind: 'tool_intent', callId: 'call 7', name: 'send_email' },
        { kind: 'interrupt', reason: 'approval', callIds: ['call 7'] },
      ],
      { head: { status: 'waiting_approval' } },
    );
    const page = await get('/console/sessions/needs%2Fapproval?tenant=acme');
    expect(page.body).toContain('data-approval-url="/sessions/needs%2Fapproval/approvals/call%207"');
    expect(page.body).toContain('data-tenant="acme"');
    expect(page.body).toContain('value="approve"');
    expect(page.body).toContain('value="reject"');
    expect(page.body).toContain('outcome is unknown. Approving runs it again');
  });

  it('hides the buttons once the call is decided', async () => {
    const ref = { tenant: 'default', sessionId: 'decided' };
    await appendEvents(store, ref, everyKind(), { head: { status: 'waiting_approval' } });
    expect((await get('/console/sessions/decided')).body).not.toContain('data-approval-url');
  });

  it('answers 404 for a session that does not exist and 400 for a bad tenant', async () => {
    expect((await get('/console/sessions/nope')).status).toBe(404);
    expect((await get('/console/sessions/x?tenant=bad%20tenant')).status).toBe(400);
  });

  it('shows the latest window of a long log with a link to earlier events', async () => {
    console_ = createConsoleHandler({ store, windowSize: 3 });
    const ref = { tenant: 'default', sessionId: 'long' };
    await appendEvents(
      store,
      ref,
      Array.from({ length: 10 }, (_, i) => ({ kind: 'input' as const, text: `m${i + 1}`, source: 'http' })),
    );
    const latest = await get('/console/sessions/long');
    expect(latest.body).toContain('id="e8"');
    expect(latest.body).not.toContain('id="e7"');
    expect(latest.body).toContain('href="/console/sessions/long?tenant=default&amp;from=5"');
    const earlier = await get('/console/sessions/long?from=2');
    expect(earlier.body).toContain('id="e2"');
    expect(earlier.body).not.toContain('data-stream-url');
  });
});

describe('console escaping', () => {
  const hostile = `<script>alert(1)</script><img src=x onerror=alert(2)>"'`;

  it('escapes hostile session ids, tool arguments, model text and tool state', async () => {
    const ref = { tenant: 'default', sessionId: hostile };
    await appendEvents(store, ref, everyKind(hostile), { head: { toolState: { [hostile]: hostile } } });
    for (const path of [
      `/console/sessions/${encodeURIComponent(hostile)}`,
      '/console',
      '/console/cost?tenant=default',
    ]) {
      const page = await get(path);
      expect(page.status).toBe(200);
      expect(page.body).not.toMatch(/<script>alert|<img src=x/);
      expect(page.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;');
      // Page scripts are external: the policy forbids inline ones even if escaping ever failed.
      expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    }
  });

  it('escapes a hostile tenant in a filter and an error page', async () => {
    const list = await get(`/console?status=${encodeURIComponent(hostile)}`);
    expect(list.status).toBe(400);
    expect(list.body).not.toContain('<script>alert');
  });
});

describe('console access', () => {
  it('answers 401 with the sign-in page when the host resolved no identity', async () => {
    const page = await get('/console', null);
    expect(page.status).toBe(401);
    expect(page.body).toContain('Sign in');
    // Assets carry nothing secret and style the sign-in page.
    expect((await get('/console/assets/console.css', null)).status).toBe(200);
  });

  it("shows a key's own tenant only, and refuses another tenant's list, session, stream and cost", async () => {
    await appendEvents(store, { tenant: 'acme', sessionId: 'mine' }, [
      { kind: 'input', text: 'hi', source: 'http' },
    ]);
    await appendEvents(store, { tenant: 'other', sessionId: 'theirs' }, [
      { kind: 'input', text: 'secret', source: 'http' },
    ]);
    const acme = keyIdentity('acme');
    const list = await get('/console', acme);
    expect(list.body).toContain('mine');
    expect(list.body).not.toContain('theirs');
    for (const path of [
      '/console?tenant=other',
      '/console/sessions/theirs?tenant=other',
      '/console/cost?tenant=other',
    ]) {
      const refused = await get(path, acme);
      expect(refused.status).toBe(403);
      expect(refused.body).not.toContain('secret');
    }
    const stream = await console_({
      method: 'GET',
      path: '/console/sessions/theirs/stream',
      query: new URLSearchParams({ tenant: 'other' }),
      headers: {},
      identity: acme,
    });
    expect(stream.status).toBe(403);
    // Without ?tenant= the key's tenant applies: another tenant's session id is simply not there.
    expect((await get('/console/sessions/theirs', acme)).status).toBe(404);
    expect((await get('/console/sessions/mine', acme)).status).toBe(200);
  });

  it('has no sign-in form when the host gives it no way to sign in', async () => {
    const form = await get('/console/login', null);
    expect(form.body).not.toContain('<form');
    const post = await console_({
      method: 'POST',
      path: '/console/login',
      query: new URLSearchParams(),
      headers: {},
      body: 'key=x',
      identity: null,
    });
    expect(post.status).toBe(404);
    expect(post.headers['set-cookie']).toBeUndefined();
  });
});

describe('console assets', () => {
  it('serves the script and stylesheet and answers 404 for anything else', async () => {
    const script = await get('/console/assets/console.js');
    expect(script.headers['content-type']).toMatch(/javascript/);
    expect(script.body).toContain('EventSource');
    expect(script.body).toContain('form.dataset.approvalUrl');
    expect((await get('/console/assets/nope.js')).status).toBe(404);
    expect((await get('/console/nowhere')).status).toBe(404);
  });

  it('answers 405 for a method the page does not take', async () => {
    const response = await console_({
      method: 'DELETE',
      path: '/console',
      query: new URLSearchParams(),
      headers: {},
      identity: LOCAL_IDENTITY,
    });
    expect(response.status).toBe(405);
  });
});
