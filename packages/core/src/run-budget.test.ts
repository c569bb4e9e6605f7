import { callTools, reply } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { kinds, kit } from '../test/kit.js';

describe('runSession under a tight budget', () => {
  it('commits, enqueues a continuation and releases the lease when the next model call would not fit', async () => {
    const t = kit([callTools([{ name: 'lookup', args: { id: 1 } }]), reply('Done.')]);
    await t.baton.submit(t.ref, { text: 'look', source: 'test' });
    // Enough time for the first model call only: the second must continue in another invocation.
    const deadline = t.clock.now() + 15_000;
    const model = t.model;
    const original = model.generate.bind(model);
    model.generate = async (request) => {
      t.clock.advance(6_000);
      return original(request);
    };
    const first = await t.baton.run(t.ref, { deadline });
    expect(first).toMatchObject({ kind: 'continued', nextStep: 'call_model' });
    expect(await t.store.readHead(t.ref)).toMatchObject({ lease: null, status: 'running' });
    expect(t.queue.messages.at(-1)?.message).toMatchObject({ reason: 'continue', sessionId: 'session-1' });
    const second = await t.baton.run(t.ref, { deadline: t.later() });
    expect(second).toMatchObject({ kind: 'finished', text: 'Done.' });
    expect(kinds(await t.store.readEvents(t.ref))).toContain('continuation');
  });

  it('stops a run at max steps with a recorded error', async () => {
    const t = kit((_request, index) => callTools([{ name: 'lookup', args: { id: index } }]), { maxSteps: 3 });
    await t.baton.submit(t.ref, { text: 'loop forever', source: 'test' });
    const outcome = await t.baton.run(t.ref, { deadline: t.later() });
    expect(outcome.kind).toBe('finished');
    expect(t.model.calls).toHaveLength(3);
    const events = await t.store.readEvents(t.ref);
    expect(events.find((e) => e.kind === 'run_finished')).toMatchObject({ reason: 'max_steps' });
    expect(events.find((e) => e.kind === 'error')).toMatchObject({ code: 'max_steps' });
  });

  it('continues later when the deadline cuts a model call off', async () => {
    const t = kit([reply('late answer')], { modelCallMs: 10 });
    await t.baton.submit(t.ref, { text: 'hi', source: 'test' });
    const original = t.model.generate.bind(t.model);
    t.model.generate = (request) =>
      new Promise((resolve, reject) => {
        request.signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
        void resolve;
      });
    // The model call fits the budget on paper (10 ms reserved of 30 ms) but hangs until the deadline.
    const outcome = await t.baton.run(t.ref, { deadline: t.clock.now() + 30 });
    expect(outcome).toMatchObject({ kind: 'continued', nextStep: 'call_model' });
    t.model.generate = original;
    expect(await t.baton.run(t.ref, { deadline: t.later() })).toMatchObject({
      kind: 'finished',
      text: 'late answer',
    });
  });

  it('fails with budget_too_small after three invocations that could not take a step', async () => {
    const t = kit([reply('never')]);
    await t.baton.submit(t.ref, { text: 'hi', source: 'test' });
    const short = () => t.baton.run(t.ref, { deadline: t.clock.now() + 5_000 });
    expect((await short()).kind).toBe('continued');
    expect((await short()).kind).toBe('continued');
    const third = await short();
    expect(third).toMatchObject({ kind: 'failed', error: { code: 'budget_too_small' } });
    expect(await t.store.readHead(t.ref)).toMatchObject({ status: 'failed', lease: null });
    expect(t.model.calls).toHaveLength(0);
  });

  it('stops quietly when the session is deleted during the run', async () => {
    const t = kit(async () => {
      await t.store.delete(t.ref);
      return reply('too late');
    });
    await t.baton.submit(t.ref, { text: 'hi', source: 'test' });
    expect(await t.baton.run(t.ref, { deadline: t.later() })).toEqual({ kind: 'not_found' });
  });
});
