import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineBaton, type Model, silentLogger } from '@baton/core';
import { type LocalApp, type LocalConfig, startLocalApp } from '@baton/dev';
import { createExampleAgent, offlineDemoModel } from '@baton/example-agent';
import { APPROVE_ACTION, slack, slackSessionRef } from '@baton/slack';
import { blockActionsBody, FakeSlackApi, mentionBody, signedSlackRequest } from '@baton/slack/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from './dev-server-process.js';

const SECRET = 'test-signing-secret';
const THREAD = '1767225600.000100';
const ref = slackSessionRef({ teamId: 'T0TEAM', channel: 'C0CHAN', thread: THREAD });

/** The offline demo model; while a test holds it, every call waits until released. */
function holdableModel() {
  const inner = offlineDemoModel();
  let gate: Promise<void> = Promise.resolve();
  let calls = 0;
  const model: Model = {
    ...inner,
    generate: async (request) => {
      calls++;
      await gate;
      return inner.generate(request);
    },
    // Agents stream by default: the streamed call waits at the same gate.
    async *stream(request) {
      calls++;
      await gate;
      yield* inner.stream!(request);
    },
  };
  return {
    model,
    calls: () => calls,
    hold(): () => void {
      let release!: () => void;
      gate = new Promise((resolve) => {
        release = resolve;
      });
      return release;
    },
  };
}

function buttons(blocks: unknown): { action_id: string; value: string }[] {
  const list = (blocks ?? []) as { type: string; elements?: { action_id: string; value: string }[] }[];
  return list.flatMap((block) => (block.type === 'actions' ? (block.elements ?? []) : []));
}

describe('Slack on the local server (startLocalApp over real HTTP)', () => {
  let dataDir: string;
  let api: FakeSlackApi;
  let app: LocalApp;
  let model: ReturnType<typeof holdableModel>;

  /** Slack posts `body` to the local server, signed unless told otherwise. */
  async function slackPost(
    path: string,
    body: string,
    options: { retryNum?: number; signedAt?: number; unsigned?: boolean; sentBody?: string } = {},
  ): Promise<{ status: number; json: Record<string, unknown> }> {
    const signed = signedSlackRequest(body, {
      secret: SECRET,
      now: options.signedAt ?? Date.now(),
      ...(options.retryNum !== undefined ? { retryNum: options.retryNum } : {}),
    });
    const headers = options.unsigned
      ? { 'content-type': 'application/json' }
      : (signed.headers as Record<string, string>);
    const response = await fetch(`${app.url}${path}`, {
      method: 'POST',
      headers,
      body: options.sentBody ?? body,
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }

  const threadTexts = () => api.thread('C0CHAN', THREAD).map((message) => message.text);
  const drained = () =>
    eventually(async () => (app.queue.depth().pending === 0 ? true : undefined), 'the run queue to drain');

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'baton-slack-e2e-'));
    api = await FakeSlackApi.start();
    model = holdableModel();
    const config: LocalConfig = {
      host: '127.0.0.1',
      port: 0,
      dataDir,
      dbPath: join(dataDir, 'baton.db'),
      syncWaitMs: 1_000,
      runBudgetMs: 60_000,
    };
    const definition = defineBaton({
      // The example agent reserves 60 s per model call by default; the run budget must cover one.
      agents: [createExampleAgent(model.model, { timing: { modelCallMs: 5_000 } })],
      channels: [
        slack({
          signingSecret: SECRET,
          botToken: 'xoxb-test-token',
          slackApiUrl: api.url,
          approvers: ['UBOSS'],
        }),
      ],
    });
    app = await startLocalApp(definition, config, { logger: silentLogger, env: {} });
  });

  afterEach(async () => {
    await app.stop();
    await api.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('acknowledges a mention while the model is still blocked, then updates the thread placeholder with the reply', async () => {
    const release = model.hold();
    const ack = await slackPost(
      '/slack/events',
      mentionBody({ eventId: 'Ev1', text: 'hello there', ts: THREAD }),
    );
    expect(ack).toEqual({ status: 200, json: { ok: true, duplicate: false } });

    // The worker is inside the model call now, the placeholder posted in the thread before it.
    await eventually(async () => (model.calls() === 1 ? true : undefined), 'the model call');
    expect(threadTexts()).toEqual([expect.stringContaining('Working on it')]);
    expect(api.callsTo('chat.postMessage')[0]?.args).toMatchObject({ channel: 'C0CHAN', thread_ts: THREAD });

    release();
    await eventually(
      async () => (threadTexts()[0]?.includes('You said: hello there') ? true : undefined),
      'the reply in the thread',
    );
    expect(threadTexts()).toHaveLength(1);
    // Progress rewrites of the placeholder (the text so far) may come first; the answer is the last.
    const updates = api.callsTo('chat.update').map((call) => String(call.args.text));
    expect(updates.length).toBeGreaterThanOrEqual(1);
    expect(updates.at(-1)).toContain('You said: hello there');
  });

  it('answers 401 and records nothing when a request is unsigned, stale or altered after signing', async () => {
    const body = mentionBody({ eventId: 'Ev1', text: 'hello', ts: THREAD });
    const answers = [
      await slackPost('/slack/events', body, { unsigned: true }),
      await slackPost('/slack/events', body, { signedAt: Date.now() - 6 * 60_000 }),
      await slackPost('/slack/events', body, { sentBody: body.replace('hello', 'transfer all the money') }),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([401, 401, 401]);
    expect(await app.baton.store.readHead(ref)).toBeNull();
    expect(app.queue.depth()).toEqual({ pending: 0, deadLetters: 0 });
    expect(api.calls).toEqual([]);
  });

  it('records nothing new and posts nothing new when Slack retries a delivered event', async () => {
    const body = mentionBody({ eventId: 'Ev1', text: 'hello', ts: THREAD });
    await slackPost('/slack/events', body);
    await eventually(async () => (threadTexts()[0]?.includes('You said') ? true : undefined), 'the reply');
    await drained();
    const events = await app.baton.events(ref);
    const calls = api.calls.length;

    for (const retryNum of [1, 2, 3]) {
      const retry = await slackPost('/slack/events', body, { retryNum });
      expect(retry).toEqual({ status: 200, json: { ok: true, duplicate: true } });
    }
    await drained();
    expect(await app.baton.events(ref)).toEqual(events);
    expect(api.calls).toHaveLength(calls);
    expect(model.calls()).toBe(1);
  });

  it('runs the approval round trip when the Approve button of an approval-gated tool is clicked', async () => {
    await slackPost(
      '/slack/events',
      mentionBody({ eventId: 'Ev1', text: 'email bob@example.com Quarterly report', ts: THREAD }),
    );
    const approval = await eventually(
      async () => api.messages.find((message) => buttons(message.blocks).length > 0),
      'the approval message',
    );
    expect(approval.thread_ts).toBe(THREAD);
    expect((await app.baton.session(ref)).status).toBe('waiting_approval');
    const [approve] = buttons(approval.blocks);
    expect(approve?.action_id).toBe(APPROVE_ACTION);

    const click = blockActionsBody({
      actionId: APPROVE_ACTION,
      value: approve!.value,
      user: 'UBOSS',
      messageTs: approval.ts,
      threadTs: THREAD,
    });
    expect((await slackPost('/slack/interactivity', click)).status).toBe(200);
    await eventually(
      async () => (threadTexts().at(-1)?.includes('Done.') ? true : undefined),
      'the answer after the approval',
    );

    const session = await app.baton.session(ref);
    expect(session).toMatchObject({
      status: 'idle',
      toolState: { sent: ['bob@example.com: Quarterly report'] },
    });
    expect(approval.text).toContain('Approved');
    expect(buttons(approval.blocks)).toEqual([]);
  });

  it('keeps serving the console and the HTTP API next to the Slack routes', async () => {
    expect((await fetch(`${app.url}/console`)).status).toBe(200);
    expect(await (await fetch(`${app.url}/healthz`)).json()).toEqual({ ok: true });
    // Slack's routes take POST only: the route table answers a GET with 405 and its Allow list.
    const slackGet = await fetch(`${app.url}/slack/events`);
    expect(slackGet.status).toBe(405);
    expect(slackGet.headers.get('allow')).toBe('POST');
    await slackGet.body?.cancel();
  });
});
