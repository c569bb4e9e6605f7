import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineAgent, defineBaton, silentLogger } from '@baton/core';
import { type LocalApp, loadConfig, startLocalApp } from '@baton/dev';
import { createExampleAgent, offlineDemoModel } from '@baton/example-agent';
import { SqliteStore } from '@baton/store-sqlite';
import { DeltaGate, reply, StreamingScriptedModel } from '@baton/testing';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, ensureChromium } from './chromium.js';

/** Git-ignored; CI keeps it as the test's artifact. */
const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'artifacts');
const SCREENSHOT = join(ARTIFACTS, 'console-session.png');
/** Every wait on the page is bounded by this; nothing sleeps for a fixed time. */
const WAIT = { timeout: 20_000 };
const STREAMED = 'Second answer, written word by word while you watch.';

/** An agent whose first answer streams freely and whose later ones are held word by word by `gate`. */
function writerAgent(gate: DeltaGate) {
  const model = new StreamingScriptedModel(
    (request) =>
      reply(
        request.messages.filter((message) => message.role === 'user').length > 1 ? STREAMED : 'First answer.',
      ),
    { pace: ({ call }) => (call === 0 ? Promise.resolve() : gate.next()) },
  );
  return defineAgent({ name: 'writer', instructions: 'Answer.', model });
}

describe('the web console in a real browser (Debian Chromium via playwright-core)', () => {
  let dataDir: string;
  let profileDir: string;
  let app: LocalApp | undefined;
  let browser: BrowserContext | undefined;
  const gate = new DeltaGate();
  let dbPath: string;

  beforeAll(async () => {
    // apt may need minutes when Chromium is missing; when present this returns at once.
    const executablePath = await ensureChromium();
    dataDir = mkdtempSync(join(tmpdir(), 'baton-console-browser-'));
    profileDir = mkdtempSync(join(tmpdir(), 'baton-chromium-profile-'));
    const config = loadConfig({ BATON_DATA_DIR: dataDir, PORT: '0' }, dataDir);
    dbPath = config.dbPath;
    app = await startLocalApp(
      defineBaton({ agents: [createExampleAgent(offlineDemoModel()), writerAgent(gate)] }),
      config,
      {
        logger: silentLogger,
        env: {},
      },
    );
    // A persistent context is how Playwright takes a user data dir: a fresh one per run.
    browser = await chromium.launchPersistentContext(profileDir, {
      executablePath,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 900 },
    });
  }, 900_000);

  afterAll(async () => {
    gate.open();
    await browser?.close();
    await app?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  });

  it('shows the timeline, approves the pending tool with the button and follows the run to the end live', async () => {
    const sent = await fetch(`${app!.url}/sessions/demo/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'email bob@example.com Hello' }),
    });
    expect(sent.ok).toBe(true);
    // The page must show the approval, so wait (bounded) until the run has reached it.
    await expect
      .poll(
        async () => {
          const answer = (await (await fetch(`${app!.url}/sessions/demo`)).json()) as {
            session: { status: string };
          };
          return answer.session.status;
        },
        { timeout: 20_000, interval: 50 },
      )
      .toBe('waiting_approval');

    const page = await browser!.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      // Chromium asks for /favicon.ico on its own; the console serves no icon, so that 404 is expected.
      if (message.location().url.endsWith('/favicon.ico')) return;
      if (message.type() === 'error')
        problems.push(`console error: ${message.text()} (${message.location().url})`);
    });
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`HTTP ${response.status()} for ${response.url()}`);
    });
    let navigations = 0;
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) navigations++;
    });

    const opened = await page.goto(`${app!.url}/console/sessions/demo`, WAIT);
    expect(opened?.status()).toBe(200);
    const timeline = page.locator('#timeline');
    const status = page.locator('#summary .status');

    // The timeline: the input, the model call that asked for send_email, and the wait for approval.
    await timeline.locator('li.step-input', { hasText: 'email bob@example.com Hello' }).waitFor(WAIT);
    const modelCall = timeline.locator('li.step-model_response', { hasText: 'send_email' });
    await modelCall.waitFor(WAIT);
    expect(await modelCall.textContent()).toContain('Model call');
    await timeline.locator('li.step-interrupt', { hasText: 'Waiting for approval' }).waitFor(WAIT);
    expect(await status.textContent()).toBe('waiting for approval');
    const approvals = page.locator('#approvals');
    expect(await approvals.locator('.tool').first().textContent()).toBe('send_email');
    expect(await approvals.textContent()).toContain('bob@example.com');
    expect(await timeline.locator('li.step-tool_result').count()).toBe(0);

    // Approve with the button; everything after this arrives over the page's Server-Sent Events.
    await approvals.getByRole('button', { name: 'Approve' }).click();
    await timeline.locator('li.step-decision', { hasText: 'Approved' }).waitFor(WAIT);
    const result = timeline.locator('li.step-tool_result', { hasText: 'send_email' });
    await result.waitFor(WAIT);
    expect(await result.locator('.outcome').textContent()).not.toBe('');
    expect(await result.getAttribute('class')).not.toContain('step-problem');
    await timeline.locator('li.step-run_finished').last().waitFor(WAIT);
    await page.locator('#summary .status.status-idle').waitFor(WAIT);
    expect(await status.textContent()).toBe('idle');
    await approvals.waitFor({ state: 'hidden', ...WAIT });
    // The updates were live: the page was loaded once and never reloaded.
    expect(navigations).toBe(1);
    expect(problems).toEqual([]);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(10_000);
    await page.close();
  });

  it('shows an answer as the model writes it, then the committed answer in its place', async () => {
    const first = await fetch(`${app!.url}/sessions/writer/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'hello', agent: 'writer' }),
    });
    expect(first.ok).toBe(true);
    const page = await browser!.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    await page.goto(`${app!.url}/console/sessions/writer`, WAIT);
    const conversation = page.locator('#conversation');
    await conversation.locator('li.message-assistant', { hasText: 'First answer.' }).waitFor(WAIT);

    // The runner writes the live record only while the session is watched. The page watches once
    // it sees the lease, and a call that started unwatched looks again only as deltas come (at most
    // once a second): a watch made first keeps the order of events fixed for the held model.
    const watching = new SqliteStore({ path: dbPath });
    await watching.live!.watch!({ tenant: 'default', sessionId: 'writer' }, Date.now() + 600_000);
    await watching.close();

    // The second answer's model call lets two words out and holds the third.
    const second = fetch(`${app!.url}/sessions/writer/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'and again', agent: 'writer' }),
    });
    gate.release(2);
    const draft = conversation.locator('li.message-live');
    const draftText = () => draft.locator('.text').textContent(WAIT);
    await expect.poll(draftText, { timeout: 20_000, interval: 20 }).toBe('Second answer, ');
    // Nothing of it is committed yet: the model is held mid-answer.
    expect(gate.waiting).toBe(1);
    expect(gate.passed).toBe(2);
    expect(await conversation.locator('li.message-assistant:not(.message-live)').count()).toBe(1);

    // One more word: the draft grows on the same page.
    gate.release(1);
    await expect.poll(draftText, { timeout: 20_000, interval: 20 }).toBe('Second answer, written ');
    expect(gate.passed).toBe(3);

    gate.open();
    expect((await second).ok).toBe(true);
    const committed = conversation.locator('li.message-assistant:not(.message-live)', { hasText: STREAMED });
    await committed.waitFor(WAIT);
    expect(await committed.locator('.text').textContent()).toBe(STREAMED);
    await draft.waitFor({ state: 'detached', ...WAIT });
    await page.locator('#summary .status.status-idle').waitFor(WAIT);
    expect(problems).toEqual([]);
    await page.close();
  });
});
