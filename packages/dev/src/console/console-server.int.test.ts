import { connect } from 'node:net';
import { join } from 'node:path';
import { defineBaton, silentLogger } from '@baton/core';
import { createExampleAgent, offlineDemoModel } from '@baton/example-agent';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LocalConfig } from '../config.js';
import { type LocalApp, startLocalApp } from '../local-app.js';
import { tempDir } from '../test-support/session-fixtures.js';

let app: LocalApp;

function config(dataDir: string): LocalConfig {
  return {
    host: '127.0.0.1',
    port: 0,
    dataDir,
    dbPath: join(dataDir, 'baton.db'),
    syncWaitMs: 10_000,
    // Above the agent's 60 s model-call reservation, so runs finish in one invocation.
    runBudgetMs: 300_000,
  };
}

/** Reads SSE `update` payloads from a fetch body until one satisfies `until`. */
async function readUntil(
  body: ReadableStream<Uint8Array>,
  until: (data: Record<string, string>) => boolean,
): Promise<Record<string, string>[]> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const seen: Record<string, string>[] = [];
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the stream ended before the expected update; saw ${seen.length}`);
      buffer += decoder.decode(value, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const data = /^data: (.*)$/m.exec(buffer.slice(0, end))?.[1];
        buffer = buffer.slice(end + 2);
        if (data) {
          const parsed = JSON.parse(data) as Record<string, string>;
          seen.push(parsed);
          if (until(parsed)) return seen;
        }
        end = buffer.indexOf('\n\n');
      }
    }
  } finally {
    reader.releaseLock();
  }
}

function attribute(html: string, name: string): string {
  const value = new RegExp(`${name}="([^"]*)"`).exec(html)?.[1];
  if (value === undefined) throw new Error(`no ${name} in the page`);
  return value.replaceAll('&amp;', '&');
}

beforeEach(async () => {
  app = await startLocalApp(
    defineBaton({ agents: [createExampleAgent(offlineDemoModel())] }),
    config(tempDir()),
    {
      logger: silentLogger,
      env: {},
    },
  );
});

afterEach(async () => {
  await app.stop();
});

describe('console on the local server', () => {
  it('is served at /console next to the API, without a token on 127.0.0.1', async () => {
    expect(app.console).toEqual({ url: `${app.url}/console` });
    const page = await fetch(`${app.url}/console`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
  });

  it('answers only a local Host and Origin without auth: a rebound DNS name or a foreign page gets 403', async () => {
    expect(app.auth).toMatch(/^local only/);
    const { port } = new URL(app.url);
    const rebound = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () =>
        socket.write(`GET /console HTTP/1.1\r\nhost: attacker.example:${port}\r\nconnection: close\r\n\r\n`),
      );
      let answer = '';
      socket.on('data', (chunk) => {
        answer += chunk.toString();
      });
      socket.on('end', () => resolve(answer));
      socket.on('error', reject);
    });
    expect(rebound).toMatch(/^HTTP\/1\.1 403 /);
    expect(rebound).not.toContain('<html');
    const foreign = await fetch(`${app.url}/sessions/x/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'http://attacker.example' },
      body: JSON.stringify({ text: 'hi' }),
    });
    expect(foreign.status).toBe(403);
    expect((await fetch(`${app.url}/sessions/x`)).status).toBe(404);
  });

  it('approves a pending tool with the button route and streams the run to its end', async () => {
    const sent = await fetch(`${app.url}/sessions/mail/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'email bob@example.com Quarterly report' }),
    });
    expect(((await sent.json()) as { state: string }).state).toBe('waiting_approval');
    const page = await (await fetch(`${app.url}/console/sessions/mail`)).text();
    const approvalUrl = attribute(page, 'data-approval-url');
    expect(approvalUrl).toMatch(/^\/sessions\/mail\/approvals\/call_\d+$/);
    const client = new AbortController();
    const stream = await fetch(`${app.url}${attribute(page, 'data-stream-url')}`, { signal: client.signal });
    expect(stream.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const [initial] = await readUntil(stream.body!, () => true);
    expect(initial?.approvals).toContain(`data-approval-url="${approvalUrl}"`);
    // What the Approve button's script sends.
    const decided = await fetch(`${app.url}${approvalUrl}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-baton-tenant': attribute(page, 'data-tenant') },
      body: JSON.stringify({ approved: true, reason: 'ok' }),
    });
    expect(decided.status).toBe(202);
    const updates = await readUntil(stream.body!, (data) => data.timeline?.includes('Run finished') ?? false);
    const timeline = updates.map((data) => data.timeline).join('');
    expect(timeline).toContain('Approved');
    expect(timeline).toContain(
      'Tool call <span class="tool">send_email</span> <span class="outcome outcome-ok">',
    );
    expect(updates.at(-1)?.status).toBe('idle');
    expect(updates.at(-1)?.approvals).not.toContain('data-approval-url');
    client.abort();
  });

  it('stops while a live stream is open', async () => {
    await fetch(`${app.url}/sessions/open/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'hello' }),
    });
    const stream = await fetch(`${app.url}/console/sessions/open/stream?tenant=default&after=0`);
    await readUntil(stream.body!, () => true);
    // afterEach's stop() must end the stream rather than wait for it.
  });
});
