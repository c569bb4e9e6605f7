import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineBaton, type SessionView, silentLogger } from '@baton/core';
import { type LocalApp, loadConfig, startLocalApp } from '@baton/dev';
import { createExampleAgent, offlineDemoModel } from '@baton/example-agent';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ATTACKS, attackerPage } from './attacker-page.js';
import { CHROMIUM_ARGS, ensureChromium } from './chromium.js';

const SESSION = 'victim';

/**
 * Issue 14: `npm start` (no auth, 127.0.0.1) with a session waiting for approval, and a page on
 * another origin (a second 127.0.0.1 port) in a real Chromium trying every cross-site write a
 * browser sends without asking. The session must read exactly as before. Plus DNS rebinding: a
 * request whose Host is not local is refused.
 */
describe('a page on another origin against the local server (Debian Chromium via playwright-core)', () => {
  let dataDir: string;
  let profileDir: string;
  let local: LocalApp | undefined;
  let browser: BrowserContext | undefined;
  let callId: string;

  const sessionState = async () =>
    JSON.stringify({
      head: await local!.baton.store.readHead({ tenant: 'default', sessionId: SESSION }),
      events: await local!.baton.store.readEvents({ tenant: 'default', sessionId: SESSION }),
      sessions: (await local!.baton.store.list({ limit: 100 })).sessions.map((head) => head.sessionId),
    });

  beforeAll(async () => {
    const executablePath = await ensureChromium();
    dataDir = mkdtempSync(join(tmpdir(), 'baton-cross-origin-'));
    profileDir = mkdtempSync(join(tmpdir(), 'baton-chromium-profile-'));
    const config = loadConfig({ BATON_DATA_DIR: dataDir, PORT: '0' }, dataDir);
    local = await startLocalApp(defineBaton({ agents: [createExampleAgent(offlineDemoModel())] }), config, {
      logger: silentLogger,
      env: {},
    });
    const sent = await fetch(`${local.url}/sessions/${SESSION}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'email bob@example.com Hello' }),
    });
    expect(sent.ok).toBe(true);
    const session = async () =>
      ((await (await fetch(`${local!.url}/sessions/${SESSION}`)).json()) as { session: SessionView }).session;
    // Bounded wait until the run has reached the approval.
    const waiting = await vi.waitFor(
      async () => {
        const current = await session();
        if (current.status !== 'waiting_approval') throw new Error(`the session is ${current.status}`);
        return current;
      },
      { timeout: 20_000, interval: 50 },
    );
    callId = waiting.pendingApprovals[0]!.callId;
    browser = await chromium.launchPersistentContext(profileDir, {
      executablePath,
      headless: true,
      args: CHROMIUM_ARGS,
    });
  }, 900_000);

  afterAll(async () => {
    await browser?.close();
    await local?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  });

  it('changes nothing when a page on another origin posts approvals, messages, forms, a beacon and a DELETE', async () => {
    const before = await sessionState();
    // Every tagged attack that reached the victim server, once its answer has gone out.
    const answered = new Map<string, string>();
    let allAnswered: () => void;
    const everyAttackAnswered = new Promise<void>((resolve) => {
      allAnswered = resolve;
    });
    local!.server.on('request', (request, response) => {
      const attack = new URL(request.url ?? '/', 'http://x').searchParams.get('attack');
      if (!attack) return;
      response.on('finish', () => {
        answered.set(attack, `${request.method} ${response.statusCode}`);
        if (ATTACKS.every((name) => answered.has(name))) allAnswered();
      });
    });
    const attacker = await startAttacker(
      attackerPage(
        local!.url,
        `/sessions/${SESSION}/approvals/${encodeURIComponent(callId)}`,
        `/sessions/${SESSION}/messages`,
        `/sessions/${SESSION}`,
      ),
    );
    try {
      const page = await browser!.newPage();
      await page.goto(`${attacker.url}/attack`);
      const seen = await attacker.done;
      await everyAttackAnswered;
      await page.close();
      // What the server answered each attempt (a DELETE is stopped at its preflight, OPTIONS).
      for (const [attack, answer] of answered) expect(answer, attack).toMatch(/ (403|404|405|415)$/);
      expect(Object.keys(seen).sort()).toEqual([...ATTACKS].sort());
      expect(await sessionState()).toBe(before);
    } finally {
      await attacker.close();
    }
  });

  it('refuses a request whose Host is not local (DNS rebinding) and changes nothing', async () => {
    const before = await sessionState();
    const port = new URL(local!.url).port;
    const send = (method: string, path: string, body?: string) =>
      new Promise<number>((resolve, reject) => {
        const outgoing = httpRequest(
          {
            host: '127.0.0.1',
            port,
            method,
            path,
            headers: { host: `attacker.example:${port}`, 'content-type': 'application/json' },
          },
          (response) => {
            response.resume();
            response.on('end', () => resolve(response.statusCode ?? 0));
          },
        );
        outgoing.on('error', reject);
        outgoing.end(body);
      });
    expect(await send('GET', `/sessions/${SESSION}`)).toBe(403);
    expect(await send('GET', '/sessions')).toBe(403);
    expect(
      await send('POST', `/sessions/${SESSION}/approvals/${encodeURIComponent(callId)}`, '{"approved":true}'),
    ).toBe(403);
    expect(await send('DELETE', `/sessions/${SESSION}`)).toBe(403);
    expect(await sessionState()).toBe(before);
  });
});

/** The attacker's own origin: serves the page, and resolves `done` with what the page reports. */
async function startAttacker(
  html: string,
): Promise<{ url: string; done: Promise<Record<string, unknown>>; close(): Promise<void> }> {
  let report: (value: Record<string, unknown>) => void;
  const done = new Promise<Record<string, unknown>>((resolve) => {
    report = resolve;
  });
  const server: Server = createServer((request, response) => {
    if (request.method === 'GET' && request.url === '/attack') {
      response.writeHead(200, { 'content-type': 'text/html' }).end(html);
      return;
    }
    if (request.method === 'POST' && request.url === '/done') {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        response.writeHead(204).end();
        report(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      });
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    done,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
