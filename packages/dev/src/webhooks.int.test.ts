import { join } from 'node:path';
import {
  type Agent,
  defineAgent,
  defineBaton,
  readWebhookOutbox,
  type SessionEvent,
  sessionRef,
  silentLogger,
  verifyWebhookSignature,
} from '@baton/core';
import { openAIModel } from '@baton/model-openai';
import {
  ManualClock,
  type OpenAIFake,
  reply,
  ScriptedModel,
  startOpenAIFake,
  startWebhookReceiver,
  type WebhookReceiver,
} from '@baton/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { type LocalApp, startLocalApp } from './local-app.js';
import { tempDir } from './test-support/session-fixtures.js';

let local: LocalApp | undefined;
let hook: WebhookReceiver | undefined;
let provider: OpenAIFake | undefined;

afterEach(async () => {
  await local?.stop();
  await hook?.close();
  await provider?.close();
  local = undefined;
  hook = undefined;
  provider = undefined;
});

const JOB_SECRET = 'whsec_jobs_local';

/**
 * Webhooks on the real local server: the HTTP API registers them, the run that commits an event
 * sends it, and the SQLite run queue brings the `outbox` message back (by the server's manual
 * clock) until the receiver answers 2xx.
 */
async function serve(clock: ManualClock, agentHook?: string): Promise<LocalApp> {
  const model = new ScriptedModel((_request, index) => reply(`answer ${index + 1}`));
  const agent = defineAgent({
    name: 'jobs',
    instructions: 'do the job',
    model,
    ...(agentHook
      ? {
          webhooks: [
            { url: agentHook, events: ['run.finished', 'run.failed'], secretEnv: 'JOBS_WEBHOOK_SECRET' },
          ],
        }
      : {}),
  });
  return start(clock, agent);
}

function start(clock: ManualClock, agent: Agent): Promise<LocalApp> {
  const dataDir = tempDir();
  return startLocalApp(
    defineBaton({ agents: [agent] }),
    {
      host: '127.0.0.1',
      port: 0,
      dataDir,
      dbPath: join(dataDir, 'baton.db'),
      syncWaitMs: 10_000,
      runBudgetMs: 300_000,
    },
    {
      clock,
      logger: silentLogger,
      env: { BATON_WEBHOOKS_ALLOW_LOCAL: '1', JOBS_WEBHOOK_SECRET: JOB_SECRET },
    },
  );
}

async function api(path: string, init: { method?: string; body?: unknown } = {}) {
  const response = await fetch(`${local!.url}${path}`, {
    method: init.method ?? 'GET',
    headers: { 'content-type': 'application/json' },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function events(sessionId: string): Promise<SessionEvent[]> {
  return (await api(`/sessions/${sessionId}/events`)).body.events as SessionEvent[];
}

/** Lets the worker run every queued message as the clock moves on, a second at a time. */
async function runQueueFor(clock: ManualClock, seconds: number, done: () => boolean): Promise<void> {
  await local!.worker.whenIdle();
  for (let second = 0; second < seconds && !done(); second++) {
    clock.advance(1_000);
    await local!.worker.whenIdle();
  }
}

function expectSigned(received: WebhookReceiver['received'], secret: string, clock: ManualClock): void {
  for (const request of received) {
    const check = verifyWebhookSignature({
      body: request.body,
      header: request.signature,
      secret,
      now: Math.floor(clock.now() / 1000),
    });
    expect(check.ok).toBe(true);
  }
}

describe('webhooks on the local server', () => {
  it('delivers once to a receiver that fails three times, every attempt signed and in the log', async () => {
    const clock = new ManualClock(Date.UTC(2026, 11, 6, 8));
    hook = await startWebhookReceiver({ failures: 3 });
    local = await serve(clock);
    expect((await api('/sessions/s1/messages', { method: 'POST', body: { text: 'hello' } })).status).toBe(
      200,
    );
    const registered = await api('/sessions/s1/webhooks', {
      method: 'POST',
      body: { url: hook.url, events: ['run.finished'] },
    });
    expect(registered.status).toBe(201);
    const { secret } = registered.body.webhook as { secret: string };

    const answered = await api('/sessions/s1/messages', { method: 'POST', body: { text: 'the report' } });
    expect(answered).toMatchObject({ status: 200, body: { reply: 'answer 2' } });
    expect(hook.received).toHaveLength(1);
    await runQueueFor(clock, 30, () => hook!.received.length >= 4);
    // Nothing more comes, however long the queue runs.
    await runQueueFor(clock, 30, () => false);

    expect(hook.received.map((request) => request.status)).toEqual([500, 500, 500, 200]);
    expect(new Set(hook.received.map((request) => request.eventId)).size).toBe(1);
    expectSigned(hook.received, secret, clock);
    expect(JSON.parse(hook.received[3]!.body)).toMatchObject({
      type: 'run.finished',
      session: { tenant: 'default', id: 's1', agent: 'jobs' },
      data: { reason: 'completed', text: 'answer 2' },
    });
    const [entry, ...more] = readWebhookOutbox(await events('s1'));
    expect(more).toHaveLength(0);
    expect(entry!.attempts.map((attempt) => [attempt.attempt, attempt.status])).toEqual([
      [1, 500],
      [2, 500],
      [3, 500],
    ]);
    expect(entry!.sent).toEqual({ status: 200, attempt: 4 });
    expect((await events('s1')).filter((event) => event.kind === 'outbox_sent')).toHaveLength(1);
  });

  it("reports a queue-triggered job's result to the system that asked", async () => {
    const clock = new ManualClock(Date.UTC(2026, 11, 6, 8));
    hook = await startWebhookReceiver();
    local = await serve(clock, hook.url);
    // A job enters as a queued input: recorded, then run by the worker off the SQLite queue.
    const ref = sessionRef('default', 'job-7');
    await local.baton.submit(ref, { text: 'count the orders', source: 'queue' });
    await runQueueFor(clock, 5, () => hook!.received.length >= 1);
    expect(hook.received).toHaveLength(1);
    expectSigned(hook.received, JOB_SECRET, clock);
    expect(JSON.parse(hook.received[0]!.body)).toMatchObject({
      type: 'run.finished',
      session: { id: 'job-7' },
      data: { reason: 'completed', text: 'answer 1' },
    });
    expect(readWebhookOutbox(await events('job-7'))[0]!.sent).toEqual({ status: 200, attempt: 1 });
  });

  it("delivers a queue-triggered job's schema-checked JSON result to the webhook, the model asked in json_schema", async () => {
    const clock = new ManualClock(Date.UTC(2026, 11, 6, 8));
    hook = await startWebhookReceiver();
    // The real openai SDK against a local Chat Completions server: the first answer misses a field.
    provider = await startOpenAIFake();
    provider.enqueue({ text: '{"orders":3}' }, { text: '{"orders":3,"late":["A-1"]}' });
    const schema = {
      type: 'object',
      properties: { orders: { type: 'integer' }, late: { type: 'array', items: { type: 'string' } } },
      required: ['orders', 'late'],
      additionalProperties: false,
    };
    local = await start(
      clock,
      defineAgent({
        name: 'jobs',
        instructions: 'Count the orders; list the late ones.',
        model: openAIModel({
          model: 'gpt-test',
          api: 'chat',
          apiKey: 'k',
          baseURL: provider.baseURL,
          maxRetries: 0,
        }),
        output: { name: 'order_report', schema },
        webhooks: [
          { url: hook.url, events: ['run.finished', 'run.failed'], secretEnv: 'JOBS_WEBHOOK_SECRET' },
        ],
      }),
    );

    await local.baton.submit(sessionRef('default', 'job-8'), { text: 'count the orders', source: 'queue' });
    await runQueueFor(clock, 5, () => hook!.received.length >= 1);

    expect(provider.requests).toHaveLength(2);
    for (const request of provider.requests) {
      expect(request.body).toMatchObject({
        response_format: { type: 'json_schema', json_schema: { name: 'order_report', schema, strict: true } },
      });
    }
    expect(hook.received).toHaveLength(1);
    expectSigned(hook.received, JOB_SECRET, clock);
    expect(JSON.parse(hook.received[0]!.body)).toMatchObject({
      type: 'run.finished',
      session: { id: 'job-8' },
      data: { reason: 'completed', output: { orders: 3, late: ['A-1'] } },
    });
    const session = await api('/sessions/job-8');
    expect(session.body).toMatchObject({ session: { lastOutput: { orders: 3, late: ['A-1'] } } });
    expect((await events('job-8')).filter((event) => event.kind === 'error')).toEqual([
      expect.objectContaining({ code: 'output_invalid', message: expect.stringContaining('late') }),
    ]);
  });
});
