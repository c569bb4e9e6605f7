import { reply } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { kinds, kit } from '../../test/kit.js';
import { deliver } from '../app/deliver.js';
import type { EventOf } from '../events.js';
import { handleHttp } from '../http-routes.js';
import type { RunMessage } from '../queue.js';
import { cancelSchedule, listSchedules, setSchedule } from './schedule-commits.js';

const HOUR = 3600_000;
const replies = (n: number) => Array.from({ length: n }, (_, index) => reply(`done ${index + 1}`));

function wakes(t: ReturnType<typeof kit>): RunMessage[] {
  return t.queue.messages.map((entry) => entry.message).filter((message) => message.reason === 'wake');
}

function deliverer(t: ReturnType<typeof kit>) {
  return (message: RunMessage, attempt = 1) =>
    deliver({ baton: t.baton, channels: [] }, message, { deadline: t.later(), attempt, maxAttempts: 5 });
}

async function scheduledInputs(t: ReturnType<typeof kit>) {
  const events = await t.store.readEvents(t.ref);
  return events.filter(
    (event): event is EventOf<'input'> => event.kind === 'input' && event.source === 'schedule',
  );
}

describe('schedules', () => {
  it('fires a one-off schedule once at its time, however often its wake-up is delivered', async () => {
    const t = kit(replies(1));
    const set = await setSchedule(
      t.baton,
      t.ref,
      { text: 'stretch', delayMs: 2 * HOUR },
      { agent: 'tester', by: 'api:me' },
    );
    expect(set.dueAt).toBe(t.clock.now() + 2 * HOUR);
    const [wake] = wakes(t);
    expect(wake).toMatchObject({ notBefore: set.dueAt, schedule: { id: set.scheduleId, dueAt: set.dueAt } });
    expect(t.queue.messages[0]!.delayMs).toBe(2 * HOUR);
    // Nothing else to do: the session is not in the pending index.
    expect((await t.store.listPending()).sessions).toHaveLength(0);

    const run = deliverer(t);
    expect(await run(wake!)).toMatchObject({ action: 'retry', consumesAttempt: false, reason: 'not_due' });
    t.clock.advance(2 * HOUR);
    expect(await run(wake!)).toMatchObject({ action: 'done', outcome: 'finished' });
    // Duplicates, one after the other and two at once: nothing more.
    expect(await run(wake!)).toMatchObject({ action: 'done' });
    await Promise.all([run(wake!), run(wake!)]);

    expect(kinds(await t.store.readEvents(t.ref))).toEqual([
      'schedule_set',
      'input',
      'model_response',
      'run_finished',
    ]);
    expect(await scheduledInputs(t)).toMatchObject([
      { text: 'stretch', metadata: { scheduleId: set.scheduleId, dueAt: set.dueAt } },
    ]);
    expect((await t.store.readHead(t.ref))!.schedules).toBeUndefined();
    expect(t.model.calls).toHaveLength(1);
  });

  it('does nothing when the schedule was cancelled before it fired', async () => {
    const t = kit([]);
    const set = await setSchedule(
      t.baton,
      t.ref,
      { text: 'stretch', delayMs: 10_000 },
      { agent: 'tester', by: 'api:me' },
    );
    expect(await listSchedules(t.baton, t.ref)).toMatchObject([{ scheduleId: set.scheduleId, kind: 'once' }]);
    await cancelSchedule(t.baton, t.ref, set.scheduleId, 'api:me');
    expect(await listSchedules(t.baton, t.ref)).toEqual([]);
    t.clock.advance(10_000);
    expect(await deliverer(t)(wakes(t)[0]!)).toEqual({ action: 'done', outcome: 'idle' });
    expect(kinds(await t.store.readEvents(t.ref))).toEqual(['schedule_set', 'schedule_cancelled']);
    await expect(cancelSchedule(t.baton, t.ref, set.scheduleId, 'api:me')).rejects.toMatchObject({
      code: 'schedule_not_found',
      status: 404,
    });
  });

  it('fires a cron rule on consecutive days, each occurrence once', async () => {
    const t = kit(replies(3));
    // 2026-01-01T00:00Z; 09:00 in Paris is 08:00Z in winter.
    const set = await setSchedule(
      t.baton,
      t.ref,
      { text: 'daily report', cron: '0 9 * * *', timezone: 'Europe/Paris' },
      { agent: 'tester', by: 'api:me' },
    );
    expect(new Date(set.dueAt).toISOString()).toBe('2026-01-01T08:00:00.000Z');
    const run = deliverer(t);
    for (let day = 0; day < 3; day++) {
      const wake = wakes(t).at(-1)!;
      t.clock.set(wake.schedule!.dueAt);
      expect(await run(wake)).toMatchObject({ action: 'done', outcome: 'finished' });
      expect(await run(wake)).toMatchObject({ action: 'done' });
    }
    const fired = await scheduledInputs(t);
    expect(fired.map((event) => new Date(event.metadata!.dueAt as number).toISOString())).toEqual([
      '2026-01-01T08:00:00.000Z',
      '2026-01-02T08:00:00.000Z',
      '2026-01-03T08:00:00.000Z',
    ]);
    const [view] = await listSchedules(t.baton, t.ref);
    expect(view).toMatchObject({
      kind: 'cron',
      nextAt: '2026-01-04T08:00:00.000Z',
      timezone: 'Europe/Paris',
    });
    expect(t.model.calls).toHaveLength(3);
  });

  it('sends a lost wake-up again when a run or a listing finds its schedule overdue', async () => {
    const t = kit(replies(2));
    const set = await setSchedule(
      t.baton,
      t.ref,
      { text: 'ping', delayMs: 10_000 },
      { agent: 'tester', by: 'api:me' },
    );
    t.queue.messages.length = 0; // the queue lost it (a purge, a dead letter)
    t.clock.advance(10_000);
    await listSchedules(t.baton, t.ref);
    expect(wakes(t)).toHaveLength(0); // late, not overdue yet
    t.clock.advance(15 * 60_000 + 1);
    // Any run of the session re-arms it (here one for an input), as does a listing.
    await t.baton.submit(t.ref, { text: 'hello', source: 'test' });
    await deliverer(t)(t.queue.messages[0]!.message);
    expect(wakes(t)).toEqual([
      expect.objectContaining({ schedule: { id: set.scheduleId, dueAt: set.dueAt } }),
    ]);
    await listSchedules(t.baton, t.ref);
    expect(wakes(t)).toHaveLength(2);
    for (const wake of wakes(t)) await deliverer(t)(wake);
    expect(await scheduledInputs(t)).toHaveLength(1);
    expect(t.model.calls).toHaveLength(2);
  });

  it('comes back after the lease when a run holds the session and the schedule is not written yet', async () => {
    const t = kit(replies(1));
    const set = await setSchedule(
      t.baton,
      t.ref,
      { text: 'ping', delayMs: 1_000 },
      { agent: 'tester', by: 'api:me' },
    );
    const head = (await t.store.readHead(t.ref))!;
    // A wake-up for an occurrence the head does not know, while a lease is live: maybe not committed yet.
    await t.store.commit({
      ref: t.ref,
      expectedVersion: head.version,
      head: {
        ...head,
        version: head.version + 1,
        lease: { owner: 'other', expiresAt: t.clock.now() + 30_000, epoch: 1 },
        leaseEpoch: 1,
      },
      events: [],
    });
    t.clock.advance(1_000);
    const unknown: RunMessage = { ...wakes(t)[0]!, schedule: { id: 'sch_unknown', dueAt: set.dueAt } };
    expect(await deliverer(t)(unknown)).toMatchObject({
      action: 'retry',
      consumesAttempt: false,
      reason: 'session_busy',
    });
  });
});

describe('schedule routes', () => {
  const call = async (t: ReturnType<typeof kit>, method: string, path: string, body?: unknown) =>
    handleHttp(
      t.baton,
      {
        method,
        path,
        query: new URLSearchParams(),
        headers: { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      },
      { deadline: t.later(), tenant: t.ref.tenant },
    );

  it('creates, lists and cancels schedules', async () => {
    const t = kit([]);
    const path = `/sessions/${t.ref.sessionId}/schedules`;
    const created = await call(t, 'POST', path, { text: 'stretch', delaySeconds: 10 });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      scheduleId: expect.stringMatching(/^sch_/),
      nextAt: '2026-01-01T00:00:10.000Z',
    });
    const listed = await call(t, 'GET', path);
    expect(listed.body).toMatchObject({
      schedules: [{ text: 'stretch', kind: 'once', by: 'api:anonymous' }],
    });
    const id = created.body.scheduleId as string;
    expect((await call(t, 'DELETE', `${path}/${id}`)).status).toBe(200);
    expect((await call(t, 'DELETE', `${path}/${id}`)).body).toMatchObject({
      error: { code: 'schedule_not_found' },
    });
    expect((await call(t, 'GET', path)).body).toEqual({ schedules: [] });
  });

  it.each([
    [{ text: 'x', at: '2025-12-31T23:00:00Z' }, 400, /in the past/],
    [{ text: 'x', at: 'tomorrow' }, 400, /ISO 8601/],
    [{ text: 'x', cron: '61 * * * *' }, 400, /not a valid rule/],
    [{ text: 'x', cron: '* * * * * *' }, 400, /more often than once a minute/],
    [{ text: 'x', cron: '0 9 * * *', timezone: 'Mars/Olympus' }, 400, /not a valid rule/],
    [{ text: 'x' }, 400, /exactly one of/],
    [{ text: 'x', delaySeconds: 10, cron: '0 9 * * *' }, 400, /exactly one of/],
    [{ text: '', delaySeconds: 10 }, 400, /non-empty/],
    [{ text: 'x'.repeat(5000), delaySeconds: 10 }, 413, /limit is 4096/],
  ])('refuses %j with a clear error', async (body, status, message) => {
    const t = kit([]);
    const answer = await call(t, 'POST', `/sessions/${t.ref.sessionId}/schedules`, body);
    expect(answer.status).toBe(status);
    expect((answer.body.error as { message: string }).message).toMatch(message);
    expect(await t.store.readHead(t.ref)).toBeNull();
  });
});
