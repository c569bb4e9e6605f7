import { callTools, reply } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { kinds, kit } from '../test/kit.js';
import type { Identity } from './auth/identity.js';
import { createBaton } from './baton.js';
import { silentLogger } from './logger.js';
import type { CommitRequest, SessionStore } from './store.js';

const approver: Identity = { tenant: 'acme', user: 'key:approver', scopes: ['approve'], via: 'api_key' };

/**
 * The store as a process sees it that dies right after the commit `dies` picks has landed: that
 * commit is written, its answer never comes back, and nothing after it happens in this process.
 */
function dyingAfter(store: SessionStore, dies: (request: CommitRequest) => boolean): SessionStore {
  let dead = false;
  return new Proxy(store, {
    get(target, key, receiver) {
      if (key !== 'commit') return Reflect.get(target, key, receiver);
      return async (request: CommitRequest) => {
        if (dead) return new Promise<never>(() => undefined);
        await target.commit(request);
        if (!dies(request)) return;
        dead = true;
        return new Promise<never>(() => undefined);
      };
    },
  });
}

/** Store commits, grouped as the event kinds each one wrote. */
function recordingCommits(store: SessionStore): { store: SessionStore; commits: string[][] } {
  const commits: string[][] = [];
  const recording = new Proxy(store, {
    get(target, key, receiver) {
      if (key !== 'commit') return Reflect.get(target, key, receiver);
      return async (request: CommitRequest) => {
        await target.commit(request);
        commits.push(request.events.map((event) => event.kind));
      };
    },
  });
  return { store: recording, commits };
}

/** A Baton over the kit's store whose commits are recorded. */
function recordedBaton(t: ReturnType<typeof kit>) {
  const { store, commits } = recordingCommits(t.store);
  const baton = createBaton({
    store,
    agents: [t.agent],
    queue: t.queue,
    clock: t.clock,
    logger: silentLogger,
  });
  return { baton, commits };
}

describe('an at-most-once intent committed with the model response that makes the call', () => {
  it('commits the intent with the response when the call starts at once: 4 writes for the turn', async () => {
    const t = kit([
      callTools([{ name: 'charge_card', args: { cents: 500 }, callId: 'c1' }]),
      reply('Charged.'),
    ]);
    const { baton, commits } = recordedBaton(t);
    const outcome = await baton.converse(t.ref, { text: 'charge', source: 'test' }, { deadline: t.later() });
    expect(outcome).toMatchObject({ state: 'finished', reply: 'Charged.' });
    expect(commits).toEqual([
      ['input'],
      ['model_response', 'tool_intent'],
      ['tool_result'],
      ['model_response', 'run_finished'],
    ]);
    expect(t.counter.of('charge_card')).toBe(1);
  });

  it('keeps the intent commit of a parallel batch of at-most-once calls on its own', async () => {
    const t = kit([
      callTools([
        { name: 'charge_card', args: { cents: 500 }, callId: 'c1' },
        { name: 'charge_card', args: { cents: 600 }, callId: 'c2' },
      ]),
      reply('Charged twice.'),
    ]);
    const { baton, commits } = recordedBaton(t);
    await baton.converse(t.ref, { text: 'charge', source: 'test' }, { deadline: t.later() });
    expect(commits.slice(0, 3)).toEqual([['input'], ['model_response'], ['tool_intent', 'tool_intent']]);
    expect(t.counter.of('charge_card')).toBe(2);
  });

  it('records the call unknown, never runs it and tells the model when the process dies right after that commit', async () => {
    const t = kit([
      callTools([{ name: 'charge_card', args: { cents: 500 }, callId: 'c1' }]),
      (request) =>
        reply(`told: ${request.messages.at(-1)?.role === 'tool' ? request.messages.at(-1)!.content : ''}`),
    ]);
    const doomed = createBaton({
      // Dies right after the commit that holds both the response and its intent.
      store: dyingAfter(
        t.store,
        (request) =>
          request.events.some((event) => event.kind === 'model_response') &&
          request.events.some((event) => event.kind === 'tool_intent'),
      ),
      agents: [t.agent],
      queue: t.queue,
      clock: t.clock,
      logger: silentLogger,
    });
    // The dying process never returns; what it left in the store is what counts.
    void doomed.converse(t.ref, { text: 'charge', source: 'test' }, { deadline: t.later() });
    await expect
      .poll(async () => kinds(await t.store.readEvents(t.ref)))
      .toEqual(['input', 'model_response', 'tool_intent']);
    expect(t.counter.of('charge_card')).toBe(0);

    t.clock.advance(31_000); // the dead holder's lease expires
    const outcome = await t.baton.run(t.ref, { deadline: t.later() });
    expect(outcome.kind).toBe('finished');
    expect(t.counter.of('charge_card')).toBe(0);
    const events = await t.store.readEvents(t.ref);
    expect(events.find((event) => event.kind === 'tool_result')).toMatchObject({
      callId: 'c1',
      outcome: 'unknown',
    });
    const answer = events.findLast((event) => event.kind === 'model_response');
    expect(answer).toMatchObject({ text: expect.stringContaining('its outcome is unknown') });
  });

  it('starts no call and records it not run when a cancel arrives while the response with its intent commits', async () => {
    const t = kit([callTools([{ name: 'charge_card', args: { cents: 500 }, callId: 'c1' }]), reply('never')]);
    let cancelled = false;
    const store = new Proxy(t.store, {
      get(target, key, receiver) {
        if (key !== 'commit') return Reflect.get(target, key, receiver);
        return async (request: CommitRequest) => {
          await target.commit(request);
          if (cancelled || !request.events.some((event) => event.kind === 'tool_intent')) return;
          // The cancel lands (and reaches the run in this process) before the commit's answer does.
          cancelled = true;
          await baton.cancel(t.ref, { identity: approver });
        };
      },
    });
    const baton = createBaton({
      store,
      agents: [t.agent],
      queue: t.queue,
      clock: t.clock,
      logger: silentLogger,
    });
    const outcome = await baton.converse(t.ref, { text: 'charge', source: 'test' }, { deadline: t.later() });
    expect(outcome.state).toBe('cancelled');
    expect(t.counter.of('charge_card')).toBe(0);
    const events = await t.store.readEvents(t.ref);
    expect(kinds(events)).toEqual([
      'input',
      'model_response',
      'tool_intent',
      'cancel',
      'tool_result',
      'run_finished',
    ]);
    expect(events.find((event) => event.kind === 'tool_result')).toMatchObject({
      callId: 'c1',
      outcome: 'rejected',
    });
  });

  it('commits no intent with a response whose call waits for approval; the approved call runs once later', async () => {
    const t = kit([
      callTools([{ name: 'send_email', args: { to: 'ana@example.com' }, callId: 'e1' }]),
      reply('Sent.'),
    ]);
    const { baton, commits } = recordedBaton(t);
    const waiting = await baton.converse(
      t.ref,
      { text: 'mail ana', source: 'test' },
      { deadline: t.later() },
    );
    expect(waiting.state).toBe('waiting_approval');
    expect(commits).toEqual([['input'], ['model_response'], ['interrupt'], []]);
    await baton.decide(t.ref, { callId: 'e1', approved: true, identity: approver });
    expect(await baton.run(t.ref, { deadline: t.later() })).toMatchObject({ kind: 'finished' });
    expect(t.counter.of('send_email')).toBe(1);
    expect(commits.slice(4)).toEqual([
      ['decision'],
      [],
      ['tool_intent'],
      ['tool_result'],
      ['model_response', 'run_finished'],
    ]);
  });

  it('commits no intent with a response whose call must wait for the next invocation; it runs once there', async () => {
    const t = kit([
      callTools([{ name: 'charge_card', args: { cents: 500 }, callId: 'c1' }]),
      reply('Charged.'),
    ]);
    const { baton, commits } = recordedBaton(t);
    await baton.submit(t.ref, { text: 'charge', source: 'test' });
    // Time for the model call (10 s) but not for the tool's 30 s: the tools continue later.
    const first = await baton.run(t.ref, { deadline: t.clock.now() + 20_000 });
    expect(first).toMatchObject({ kind: 'continued', nextStep: 'run_tools' });
    expect(commits).toEqual([['input'], [], ['model_response'], ['continuation']]);
    expect(t.counter.of('charge_card')).toBe(0);

    expect(await baton.run(t.ref, { deadline: t.later() })).toMatchObject({ kind: 'finished' });
    expect(t.counter.of('charge_card')).toBe(1);
    expect(commits.slice(4)).toEqual([
      [],
      ['tool_intent'],
      ['tool_result'],
      ['model_response', 'run_finished'],
    ]);
    const events = await t.store.readEvents(t.ref);
    expect(events.find((event) => event.kind === 'tool_result')).toMatchObject({
      callId: 'c1',
      outcome: 'ok',
    });
  });
});
