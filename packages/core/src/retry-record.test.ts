import { reply } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { kinds, kit } from '../test/kit.js';
import { deliver } from './app/deliver.js';
import { ModelError } from './errors.js';
import { handleHttp } from './http-routes.js';

const KEY = 'sk-proj-Zq9XwV8uT7sR6qP5oN4mL3kJ2iH1gF0e';
const throttled = () =>
  new ModelError(`429 Too Many Requests (Authorization: Bearer ${KEY})`, { retryable: true, status: 429 });

describe('retry records', () => {
  it('records each retried model failure on the session, with the next retry time', async () => {
    const t = kit([throttled(), throttled(), reply('finally')]);
    await t.baton.submit(t.ref, { text: 'hello', source: 'test' });
    const message = t.queue.messages[0]!.message;
    const delivery = { baton: t.baton, channels: [], random: () => 0 };
    const options = (attempt: number) => ({ deadline: t.later(), attempt, maxAttempts: 5 });

    const first = await deliver(delivery, message, options(1));
    expect(first).toEqual({ action: 'retry', delayMs: 500, consumesAttempt: true, reason: 'model_error' });
    const failedAt = t.clock.now();
    const second = await deliver(delivery, message, options(2));
    expect(second).toMatchObject({ action: 'retry', delayMs: 1_000 });

    const events = await t.store.readEvents(t.ref);
    expect(kinds(events)).toEqual(['input', 'retry_scheduled', 'retry_scheduled']);
    expect(events[1]).toMatchObject({ attempt: 1, code: 'model_error', retryAt: failedAt + 500 });
    expect(events[2]).toMatchObject({ attempt: 2, code: 'model_error' });
    expect(JSON.stringify(events)).not.toContain(KEY);
    expect(events[2]).toMatchObject({ message: expect.stringContaining('Bearer [redacted]') });

    // Not input: the head still says only the input is unanswered, and no lease is left behind.
    const head = (await t.store.readHead(t.ref))!;
    expect(head).toMatchObject({ status: 'running', lastInputSeq: 1, lease: null });

    const view = await t.baton.session(t.ref);
    expect(view.lastRetry).toEqual({
      attempt: 2,
      code: 'model_error',
      message: expect.stringContaining('429 Too Many Requests'),
      at: new Date(events[2]!.at).toISOString(),
      retryAt: new Date(events[2]!.at + 1_000).toISOString(),
    });
    const get = (path: string) =>
      handleHttp(
        t.baton,
        { method: 'GET', path, query: new URLSearchParams(), headers: {}, body: undefined },
        { deadline: t.later(), tenant: t.ref.tenant },
      );
    const api = await get(`/sessions/${t.ref.sessionId}`);
    expect(api.body).toMatchObject({ session: { lastRetry: { attempt: 2, code: 'model_error' } } });
    const log = await get(`/sessions/${t.ref.sessionId}/events`);
    expect(log.body.events).toMatchObject([{}, { kind: 'retry_scheduled' }, { kind: 'retry_scheduled' }]);

    expect(await deliver(delivery, message, options(3))).toMatchObject({ action: 'done' });
    expect(kinds(await t.store.readEvents(t.ref)).slice(3)).toEqual(['model_response', 'run_finished']);
    expect((await t.baton.session(t.ref)).lastRetry).toBeNull();
  });

  it('records nothing on the last attempt, where the failure itself is recorded', async () => {
    const t = kit([throttled()]);
    await t.baton.submit(t.ref, { text: 'hello', source: 'test' });
    const message = t.queue.messages[0]!.message;
    const disposition = await deliver({ baton: t.baton, channels: [] }, message, {
      deadline: t.later(),
      attempt: 3,
      maxAttempts: 3,
    });
    expect(disposition).toMatchObject({ action: 'dead_letter', code: 'model_error' });
    expect(kinds(await t.store.readEvents(t.ref))).toEqual(['input', 'error', 'run_finished']);
  });
});
