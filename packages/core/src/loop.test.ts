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

  it('runs parallel tool calls, commits tool state with the result, and feeds results back', async () => {
    const t = kit([
      callTools([
        { name: 'add_note', args: { text: 'milk' }, callId: 'a' },
        { name: 'lookup', args: { id: 7 }, callId: 'b' },
      ]),
      reply('Saved and found.'),
    ]);
    await t.baton.submit(t.ref, { text: 'save milk and look up 7', source: 'test' });
    const outcome = await t.baton.run(t.ref, { deadline: t.later() });
    expect(outcome.kind).toBe('finished');
    const head = await t.store.readHead(t.ref);
    expect(head?.toolState).toEqual({ notes: ['milk'] });
    const second = t.model.calls[1]!;
    const toolMessages = second.messages.filter((message) => message.role === 'tool');
    expect(toolMessages.map((message) => message.role === 'tool' && message.callId).sort()).toEqual([
      'a',
      'b',
    ]);
    expect(t.counter.of('add_note')).toBe(1);
    expect(t.counter.of('lookup')).toBe(1);
    const result = (await t.store.readEvents(t.ref)).find(
      (e) => e.kind === 'tool_result' && e.callId === 'a',
    );
    expect(result).toMatchObject({ outcome: 'ok', statePatch: { notes: ['milk'] } });
  });

  it('feeds unknown tools, malformed JSON, schema failures and throwing tools back as recorded errors', async () => {
    const t = kit([
      callTools([
        { name: 'no_such_tool', args: {}, callId: 'u' },
        { name: 'lookup', args: '{"id":', callId: 'j' },
        { name: 'lookup', args: { id: 'seven' }, callId: 's' },
        { name: 'explode', args: {}, callId: 'x' },
      ]),
      reply('I will try something else.'),
    ]);
    await t.baton.submit(t.ref, { text: 'go', source: 'test' });
    expect((await t.baton.run(t.ref, { deadline: t.later() })).kind).toBe('finished');
    const results = (await t.store.readEvents(t.ref)).filter((e) => e.kind === 'tool_result');
    const byId = Object.fromEntries(results.map((e) => [e.kind === 'tool_result' && e.callId, e]));
    expect(JSON.stringify(byId.u)).toContain('unknown tool');
    expect(JSON.stringify(byId.j)).toContain('not valid JSON');
    expect(JSON.stringify(byId.s)).toContain('invalid arguments');
    expect(JSON.stringify(byId.x)).toContain('the service is down');
    for (const result of results) expect(result).toMatchObject({ outcome: 'error' });
    const fedBack = t.model.calls[1]!.messages.filter((m) => m.role === 'tool');
    expect(fedBack).toHaveLength(4);
    expect(fedBack.every((m) => m.role === 'tool' && m.isError)).toBe(true);
    expect(t.counter.of('lookup')).toBe(0);
  });

  it('stops for approval and resumes in another invocation when the call is approved', async () => {
    const t = kit([callTools([{ name: 'send_email', args: { to: 'bob' }, callId: 'e1' }]), reply('Sent.')]);
    await t.baton.submit(t.ref, { text: 'email bob', source: 'test' });
    const first = await t.baton.run(t.ref, { deadline: t.later() });
    expect(first).toMatchObject({ kind: 'waiting_approval', callIds: ['e1'] });
    expect((await t.baton.session(t.ref)).pendingApprovals).toEqual([
      { callId: 'e1', tool: 'send_email', arguments: '{"to":"bob"}', unknownOutcome: false },
    ]);
    expect(t.counter.of('send_email')).toBe(0);
    await t.baton.decide(t.ref, { callId: 'e1', approved: true, by: 'alice' });
    expect(t.queue.messages.at(-1)?.message.reason).toBe('decision');
    const second = await t.baton.run(t.ref, { deadline: t.later() });
    expect(second).toMatchObject({ kind: 'finished', text: 'Sent.' });
    expect(t.counter.of('send_email')).toBe(1);
    expect(kinds(await t.store.readEvents(t.ref))).toEqual([
      'input',
      'model_response',
      'interrupt',
      'decision',
      'tool_intent',
      'tool_result',
      'model_response',
      'run_finished',
    ]);
  });

  it('records a rejection as the result without running the tool', async () => {
    const t = kit([
      callTools([{ name: 'send_email', args: { to: 'bob' }, callId: 'e1' }]),
      reply('Not sent.'),
    ]);
    await t.baton.submit(t.ref, { text: 'email bob', source: 'test' });
    await t.baton.run(t.ref, { deadline: t.later() });
    await t.baton.decide(t.ref, { callId: 'e1', approved: false, reason: 'not today', by: 'alice' });
    await t.baton.run(t.ref, { deadline: t.later() });
    expect(t.counter.of('send_email')).toBe(0);
    const result = (await t.store.readEvents(t.ref)).find((e) => e.kind === 'tool_result');
    expect(result).toMatchObject({ outcome: 'rejected' });
    expect(JSON.stringify(result)).toContain('not today');
  });

  it('surfaces an at-most-once call with an intent but no result as an unknown outcome and never re-runs it', async () => {
    const t = kit([
      callTools([{ name: 'charge_card', args: { cents: 500 }, callId: 'c1' }]),
      reply('Check the charge.'),
    ]);
    await t.baton.submit(t.ref, { text: 'charge', source: 'test' });
    // Simulate a crash right after the intent commit: the tool throws a non-Baton "process died" at run time
    // is not the same thing, so write the log as a crashed invocation leaves it.
    const crashed = await crashAfterIntent(t);
    expect(kinds(crashed)).toEqual(['input', 'model_response', 'tool_intent']);
    t.clock.advance(31_000); // the dead holder's lease expires
    const outcome = await t.baton.run(t.ref, { deadline: t.later() });
    expect(outcome.kind).toBe('finished');
    expect(t.counter.of('charge_card')).toBe(0);
    const result = (await t.store.readEvents(t.ref)).find((e) => e.kind === 'tool_result');
    expect(result).toMatchObject({ callId: 'c1', outcome: 'unknown' });
  });

  it('asks a person about an unknown outcome when the policy says approval, and runs again only if approved', async () => {
    const t = kit(
      [callTools([{ name: 'charge_card', args: { cents: 500 }, callId: 'c1' }]), reply('Charged.')],
      {
        unknownOutcome: 'approval',
      },
    );
    await t.baton.submit(t.ref, { text: 'charge', source: 'test' });
    await crashAfterIntent(t);
    t.clock.advance(31_000);
    const waiting = await t.baton.run(t.ref, { deadline: t.later() });
    expect(waiting).toMatchObject({ kind: 'waiting_approval', callIds: ['c1'] });
    expect((await t.baton.session(t.ref)).pendingApprovals[0]).toMatchObject({ unknownOutcome: true });
    await t.baton.decide(t.ref, { callId: 'c1', approved: true });
    await t.baton.run(t.ref, { deadline: t.later() });
    expect(t.counter.of('charge_card')).toBe(1);
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
});

describe('runSession under a tight budget', () => {
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

describe('input policies', () => {
  it('answers each waiting message in turn when the agent takes input one at a time', async () => {
    const t = kit(
      (request) => reply(`answer to ${request.messages.filter((m) => m.role === 'user').at(-1)?.content}`),
      {
        inputs: 'one_at_a_time',
      },
    );
    for (const text of ['one', 'two', 'three']) await t.baton.submit(t.ref, { text, source: 'test' });
    const outcome = await t.baton.run(t.ref, { deadline: t.later() });
    expect(outcome).toMatchObject({ kind: 'finished', text: 'answer to three' });
    expect(t.model.calls.map((call) => call.messages.map((m) => m.content))).toEqual([
      ['one'],
      ['one', 'answer to one', 'two'],
      ['one', 'answer to one', 'two', 'answer to two', 'three'],
    ]);
    const replies = (await t.store.readEvents(t.ref)).filter((e) => e.kind === 'model_response');
    expect(replies.map((e) => e.kind === 'model_response' && e.text)).toEqual([
      'answer to one',
      'answer to two',
      'answer to three',
    ]);
  });

  it('answers waiting messages together by default', async () => {
    const t = kit([reply('both answered')]);
    for (const text of ['one', 'two']) await t.baton.submit(t.ref, { text, source: 'test' });
    await t.baton.run(t.ref, { deadline: t.later() });
    expect(t.model.calls).toHaveLength(1);
    expect(t.model.calls[0]!.messages.map((m) => m.content)).toEqual(['one', 'two']);
  });
});

describe('compaction', () => {
  it('replaces earlier turns with a summary once the live context is long, and the model sees the summary', async () => {
    const t = kit(
      (request) => {
        if (request.tools.length === 0) {
          const said = request.messages.filter((m) => m.role === 'user').map((m) => m.content);
          return reply(`SUMMARY[${said.join('|')}]`);
        }
        return reply(
          `reply to ${request.messages.at(-1)?.role === 'user' ? request.messages.at(-1)?.content : '?'}`,
        );
      },
      { compactAfterEvents: 4 },
    );
    for (const text of ['one', 'two', 'three']) {
      await t.baton.submit(t.ref, { text, source: 'test' });
      await t.baton.run(t.ref, { deadline: t.later() });
    }
    const head = await t.store.readHead(t.ref);
    // Turns one and two were compacted when turn three began (5 model-visible events > 4).
    expect(head).toMatchObject({ contextStart: 7, summarySeq: 8 });
    const summarize = t.model.calls.find((call) => call.tools.length === 0)!;
    expect(summarize.messages.map((m) => m.content)).toEqual([
      'one',
      'reply to one',
      'two',
      'reply to two',
      'Summarize the conversation above.',
    ]);
    const last = t.model.calls.at(-1)!;
    expect(last.instructions).toContain('SUMMARY[one|two|Summarize the conversation above.]');
    expect(last.messages).toEqual([{ role: 'user', content: 'three' }]);
    const snapshot = await t.store.load(t.ref);
    expect(snapshot!.events.map((e) => e.kind)).toEqual([
      'input',
      'summary',
      'model_response',
      'run_finished',
    ]);
    // Nothing is lost: the full history is still readable.
    expect(await t.store.readEvents(t.ref)).toHaveLength(10);
  });

  it('keeps every unanswered input when several wait in one batch', async () => {
    const t = kit(
      (request) => reply(request.tools.length === 0 ? 'SUMMARY' : `answer ${request.messages.length}`),
      {
        compactAfterEvents: 4,
      },
    );
    for (const text of ['one', 'two']) {
      await t.baton.submit(t.ref, { text, source: 'test' });
      await t.baton.run(t.ref, { deadline: t.later() });
    }
    // Three inputs arrive before the next run.
    for (const text of ['three', 'four', 'five']) await t.baton.submit(t.ref, { text, source: 'test' });
    await t.baton.run(t.ref, { deadline: t.later() });
    const last = t.model.calls.at(-1)!;
    expect(last.messages.filter((m) => m.role === 'user').map((m) => m.content)).toEqual([
      'three',
      'four',
      'five',
    ]);
  });
});

/** Leaves the log the way an invocation that died right after committing its intents leaves it. */
async function crashAfterIntent(t: ReturnType<typeof kit>): Promise<SessionEvent[]> {
  const { acquireLease } = await import('./lease.js');
  const { SessionWriter } = await import('./session-writer.js');
  const held = await acquireLease(t.store, t.ref, { owner: 'doomed', clock: t.clock, leaseMs: 30_000 });
  const writer = new SessionWriter(t.store, t.ref, held, t.clock, 30_000);
  const response = await t.model.generate({ instructions: '', messages: [], tools: [], sessionKey: 'x' });
  await writer.commit({
    events: [
      {
        kind: 'model_response',
        text: response.text,
        toolCalls: response.toolCalls,
        usage: response.usage,
        stopReason: response.stopReason,
        provider: 'scripted',
        model: response.model,
        latencyMs: 1,
      },
    ],
  });
  await writer.commit({
    events: response.toolCalls.map((call) => ({ kind: 'tool_intent', callId: call.callId, name: call.name })),
  });
  return t.store.readEvents(t.ref);
}

function assertLinear(events: SessionEvent[]): void {
  expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
}
