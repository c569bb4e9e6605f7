import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineBaton, silentLogger } from '@baton/core';
import { type LocalApp, loadConfig, startLocalApp } from '@baton/dev';
import { createExampleAgent, offlineDemoModel } from '@baton/example-agent';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, ensureChromium } from './chromium.js';

/** Git-ignored; CI keeps it as the test's artifact. */
const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'artifacts');
const SCREENSHOT = join(ARTIFACTS, 'console-session.png');
/** Every wait on the page is bounded by this; nothing sleeps for a fixed time. */
const WAIT = { timeout: 20_000 };

describe('the web console in a real browser (Debian Chromium via playwright-core)', () => {
  let dataDir: string;
  let profileDir: string;
  let app: LocalApp | undefined;
  let browser: BrowserContext | undefined;

  beforeAll(async () => {
    // apt may need minutes when Chromium is missing; when present this returns at once.
    const executablePath = await ensureChromium();
    dataDir = mkdtempSync(join(tmpdir(), 'baton-console-browser-'));
    profileDir = mkdtempSync(join(tmpdir(), 'baton-chromium-profile-'));
    const config = loadConfig({ BATON_DATA_DIR: dataDir, PORT: '0' }, dataDir);
    app = await startLocalApp(defineBaton({ agents: [createExampleAgent(offlineDemoModel())] }), config, {
      logger: silentLogger,
      env: {},
    });
    // A persistent context is how Playwright takes a user data dir: a fresh one per run.
    browser = await chromium.launchPersistentContext(profileDir, {
      executablePath,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 900 },
    });
  }, 900_000);

  afterAll(async () => {
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
});
