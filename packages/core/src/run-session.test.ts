import { callTools, reply } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { ArrayQueue, kinds, kit } from '../test/kit.js';
import type { SessionEvent } from './events.js';
import { runSession } from './loop.js';

describe('runSession', () => {
  it('answers a message and releases the lease when the run finishes', async () => {
    const t = kit([reply('Hello there')]);
    await t.baton.submit(t.ref, { text: 'hi', source: 'test' });
    const outcome = await t.baton.run(t.ref, { deadline: t.later() });
    expect(outcome).toMatchObject({ kind: 'finished', text: 'Hello there' });
    const head = await t.store.readHead(t.ref);
    expect(head).toMatchObject({ status: 'idle', lease: null, runSteps: 0 });
    expect(kinds(await t.store.readEvents(t.ref))).toEqual(['input', 'model_response', 'run_finished']);
  });

  it('drains input that arrives while it runs before releasing the lease', async () => {
    let t = kit([]);
    let injected = false;
    t = kit(async (request, index) => {
      if (!injected) {
        injected = true;
        // A second message arrives from another invocation while the model is thinking.
        const other = t.baton;
        await other.submit(t.ref, { text: 'second', source: 'test' });
      }
      return reply(`answer ${index} to ${request.messages.filter((m) => m.role === 'user').length} inputs`);
    });
    await t.baton.submit(t.ref, { text: 'first', source: 'test' });
    const outcome = await t.baton.run(t.ref, { deadline: t.later() });
    expect(outcome.kind).toBe('finished');
    expect(t.model.calls).toHaveLength(2);
    const events = await t.store.readEvents(t.ref);
    const last = events.at(-1)!;
    expect(last.kind).toBe('run_finished');
    expect(events.filter((e) => e.kind === 'input')).toHaveLength(2);
    // The second model call saw both inputs, in order.
    const users = t.model.calls[1]!.messages.filter((m) => m.role === 'user').map((m) => m.content);
    expect(users).toEqual(['first', 'second']);
    assertLinear(events);
  });

  it('stops writing when its lease was taken over (fencing)', async () => {
    const t = kit([]);
    const takeover = kit([reply('from the new holder')]);
    // Both kits must share one store; rebuild the second on the first's store.
    const { createBaton } = await import('./baton.js');
    const { silentLogger } = await import('./logger.js');
    const fresh = createBaton({
      store: t.store,
      agents: [takeover.agent],
      queue: new ArrayQueue(),
      clock: t.clock,
      logger: silentLogger,
    });
    const stale = createBaton({
      store: t.store,
      agents: [
        {
          ...takeover.agent,
          model: {
            provider: 'slow',
            modelId: 'slow',
            generate: async () => {
              // While this holder waits on its model, its lease expires and another worker takes over.
              t.clock.advance(60_000);
              await fresh.run(t.ref, { deadline: t.later(), owner: 'new-holder' });
              return {
                text: 'stale answer',
                toolCalls: [],
                usage: { inputTokens: 1, outputTokens: 1 },
                stopReason: 'end',
                model: 'slow',
              };
            },
          },
        },
      ],
      queue: new ArrayQueue(),
      clock: t.clock,
      logger: silentLogger,
    });
    await stale.submit(t.ref, { text: 'hi', source: 'test' });
    const outcome = await stale.run(t.ref, { deadline: t.later(), owner: 'old-holder' });
    expect(outcome.kind).toBe('fenced');
    const events = await t.store.readEvents(t.ref);
    expect(JSON.stringify(events)).not.toContain('stale answer');
    expect(events.find((e) => e.kind === 'run_finished')).toMatchObject({ text: 'from the new holder' });
  });

  it('returns busy with the lease expiry when another invocation holds the lease', async () => {
    const t = kit([reply('ok')]);
    await t.baton.submit(t.ref, { text: 'hi', source: 'test' });
    const { acquireLease } = await import('./lease.js');
    const held = await acquireLease(t.store, t.ref, { owner: 'other', clock: t.clock, leaseMs: 30_000 });
    const outcome = await runSession(
      { store: t.store, agents: t.baton.agents, queue: t.queue, clock: t.clock, logger: t.baton.logger },
      t.ref,
      { deadline: t.later(), owner: 'me' },
    );
    expect(outcome).toEqual({ kind: 'busy', retryAt: held.lease!.expiresAt });
  });

  it('never re-runs a tool whose result is recorded', async () => {
    const t = kit([callTools([{ name: 'lookup', args: { id: 1 }, callId: 'l1' }]), reply('Done.')]);
    await t.baton.submit(t.ref, { text: 'look', source: 'test' });
    await t.baton.run(t.ref, { deadline: t.later() });
    const before = t.counter.of('lookup');
    const commitsBefore = t.store.stats.commits;
    // Another delivery of the same run message finds the work done.
    const again = await t.baton.run(t.ref, { deadline: t.later() });
    // Nothing pending: answered from the head alone, without taking the lease.
    expect(again.kind).toBe('idle');
    expect(t.store.stats.commits).toBe(commitsBefore);
    expect(t.counter.of('lookup')).toBe(before);
    expect(t.model.calls).toHaveLength(2);
  });
});

function assertLinear(events: SessionEvent[]): void {
  expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
}
