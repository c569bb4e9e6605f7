import { join } from 'node:path';
import { defineAgent, defineBaton, type SessionEvent, silentLogger, wakeMessage } from '@baton/core';
import { createExampleAgent, offlineDemoModel } from '@baton/example-agent';
import { ManualClock, reply, ScriptedModel } from '@baton/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { type LocalApp, startLocalApp } from './local-app.js';
import { tempDir } from './test-support/session-fixtures.js';

let local: LocalApp | undefined;

afterEach(async () => {
  await local?.stop();
  local = undefined;
});

/**
 * Schedules on the real local server: the HTTP API records them, the SQLite run queue holds each
 * wake-up until its time (by the server's clock, a manual one here), and the LocalWorker fires it.
 */
async function serve(clock: ManualClock, demo = false): Promise<LocalApp> {
  const dataDir = tempDir();
  const model = new ScriptedModel((_request, index) => reply(`answer ${index + 1}`));
  const agent = demo
    ? createExampleAgent(offlineDemoModel({ deltaMs: 0 }))
    : defineAgent({ name: 'planner', instructions: 'plan', model });
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
    { clock, logger: silentLogger, env: {} },
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

async function scheduledInputs(sessionId: string): Promise<SessionEvent[]> {
  const { body } = await api(`/sessions/${sessionId}/events`);
  return (body.events as SessionEvent[]).filter(
    (event) => event.kind === 'input' && event.source === 'schedule',
  );
}

describe('schedules on the local server', () => {
  it('fires a delayed schedule once when its time comes, whatever is delivered twice', async () => {
    const clock = new ManualClock(Date.UTC(2026, 11, 6, 8));
    local = await serve(clock);
    const created = await api('/sessions/s1/schedules', {
      method: 'POST',
      body: { text: 'stretch', delaySeconds: 7200 },
    });
    expect(created).toMatchObject({ status: 201, body: { nextAt: '2026-12-06T10:00:00.000Z' } });
    expect((await api('/sessions/s1/schedules')).body).toMatchObject({ schedules: [{ text: 'stretch' }] });

    await local.worker.whenIdle();
    expect(await scheduledInputs('s1')).toHaveLength(0);
    expect(local.queue.depth().pending).toBe(1);

    clock.advance(7200_000);
    await local.worker.whenIdle();
    expect(await scheduledInputs('s1')).toHaveLength(1);
    // A duplicate delivery of the same wake-up (a queue that delivers at least once).
    const scheduleId = created.body.scheduleId as string;
    const dueAt = Date.parse(created.body.nextAt as string);
    await local.queue.enqueue(wakeMessage({ tenant: 'default', sessionId: 's1' }, scheduleId, dueAt));
    await local.worker.whenIdle();
    const { body } = await api('/sessions/s1/events');
    const events = body.events as SessionEvent[];
    expect(events.map((event) => event.kind)).toEqual([
      'schedule_set',
      'input',
      'model_response',
      'run_finished',
    ]);
    expect((await api('/sessions/s1/schedules')).body).toEqual({ schedules: [] });
    expect(local.queue.depth()).toEqual({ pending: 0, deadLetters: 0 });
  });

  it('fires a cron rule on consecutive days and stops after a cancel', async () => {
    const clock = new ManualClock(Date.UTC(2026, 11, 6, 8));
    local = await serve(clock);
    const created = await api('/sessions/daily/schedules', {
      method: 'POST',
      body: { text: 'daily report', cron: '30 9 * * *', timezone: 'Europe/Paris' },
    });
    expect(created.body.nextAt).toBe('2026-12-06T08:30:00.000Z');
    for (const day of [6, 7, 8]) {
      clock.set(Date.UTC(2026, 11, day, 8, 30));
      await local.worker.whenIdle();
    }
    const fired = await scheduledInputs('daily');
    expect(fired.map((event) => new Date(event.at).toISOString())).toEqual([
      '2026-12-06T08:30:00.000Z',
      '2026-12-07T08:30:00.000Z',
      '2026-12-08T08:30:00.000Z',
    ]);
    const scheduleId = created.body.scheduleId as string;
    expect((await api(`/sessions/daily/schedules/${scheduleId}`, { method: 'DELETE' })).status).toBe(200);
    clock.set(Date.UTC(2026, 11, 9, 8, 30));
    await local.worker.whenIdle();
    expect(await scheduledInputs('daily')).toHaveLength(3);
    expect(local.queue.depth()).toEqual({ pending: 0, deadLetters: 0 });
  });

  it("runs the demo agent's remind tool: the reminder comes back as a message at its time", async () => {
    const clock = new ManualClock(Date.UTC(2026, 11, 6, 8));
    local = await serve(clock, true);
    const said = await api('/sessions/demo/messages', {
      method: 'POST',
      body: { text: 'remind 10s stretch' },
    });
    expect(said).toMatchObject({ status: 200, body: { state: 'finished' } });
    expect(said.body.reply).toContain('"at":"2026-12-06T08:00:10.000Z"');
    clock.advance(10_000);
    await local.worker.whenIdle();
    const { body } = await api('/sessions/demo/events');
    const events = body.events as SessionEvent[];
    expect(
      events.filter((event) => event.kind === 'input').map((event) => [event.source, event.text]),
    ).toEqual([
      ['http', 'remind 10s stretch'],
      ['schedule', 'Reminder: stretch'],
    ]);
    expect(events.at(-1)).toMatchObject({
      kind: 'run_finished',
      text: expect.stringContaining('Reminder: stretch'),
    });
  });
});
