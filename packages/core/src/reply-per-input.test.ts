import { callTools, ManualClock, reply, ScriptedModel } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ArrayQueue } from '../test/kit.js';
import { defineAgent } from './agent.js';
import { createBaton } from './baton.js';
import { handleHttp } from './http-routes.js';
import { silentLogger } from './logger.js';
import { MemoryStore } from './memory-store.js';
import type { ModelRequest } from './model.js';
import { sessionRef } from './session-ref.js';
import { defineTool } from './tool.js';

/** The user messages a model call saw, in order. */
const asked = (request: ModelRequest) =>
  request.messages.filter((m) => m.role === 'user').map((m) => m.content);

/**
 * A one-at-a-time agent whose first question sends it into a tool loop (two rounds of `lookup`)
 * that waits at a gate, so messages can arrive mid-loop; every other question is answered at once.
 */
function world(inputs: 'batch' | 'one_at_a_time' = 'one_at_a_time') {
  const clock = new ManualClock();
  const store = new MemoryStore();
  let open!: () => void;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  let lookups = 0;
  const lookup = defineTool({
    name: 'lookup',
    description: 'looks something up slowly',
    parameters: z.object({}),
    execute: async () => {
      lookups++;
      if (lookups === 1) await gate;
      return { found: lookups };
    },
  });
  const model = new ScriptedModel((request) => {
    const last = request.messages.at(-1)!;
    if (last.role === 'user' && last.content === 'research') return callTools([{ name: 'lookup', args: {} }]);
    if (last.role === 'tool' && lookups === 1) return callTools([{ name: 'lookup', args: {} }]);
    const question = asked(request).at(-1);
    return reply(last.role === 'tool' ? `researched (${question})` : `answer to ${question}`);
  });
  const agent = defineAgent({
    name: 'chat',
    instructions: 'Answer.',
    model,
    tools: [lookup],
    timing: { modelCallMs: 10_000, leaseMs: 30_000 },
    policies: { inputs },
  });
  const baton = createBaton({ store, agents: [agent], queue: new ArrayQueue(), clock, logger: silentLogger });
  const ref = sessionRef('acme', 'chat-1');
  const later = () => clock.now() + 600_000;
  /** Resolves once the tool loop waits at the gate. */
  const inLoop = async () => {
    while (lookups === 0) await new Promise((resolve) => setImmediate(resolve));
  };
  return { baton, store, model, ref, later, open, inLoop };
}

describe('one reply per input', () => {
  it('holds input that arrives during a tool loop until the turn has its reply, one at a time', async () => {
    const w = world();
    const research = await w.baton.submit(w.ref, { text: 'research', source: 'test' });
    const running = w.baton.run(w.ref, { deadline: w.later() });
    await w.inLoop();
    const mid = [];
    for (const text of ['two', 'three', 'four', 'five']) {
      mid.push(await w.baton.submit(w.ref, { text, source: 'test' }));
    }
    w.open();
    expect(await running).toMatchObject({ kind: 'finished', text: 'answer to five' });

    // The loop's model calls never saw the later messages; each of those got a call of its own.
    expect(w.model.calls.map(asked)).toEqual([
      ['research'],
      ['research'],
      ['research'],
      ['research', 'two'],
      ['research', 'two', 'three'],
      ['research', 'two', 'three', 'four'],
      ['research', 'two', 'three', 'four', 'five'],
    ]);
    const events = await w.store.readEvents(w.ref);
    const replies = events.filter((e) => e.kind === 'model_response' && e.toolCalls.length === 0);
    expect(replies.map((e) => e.kind === 'model_response' && e.text)).toEqual([
      'researched (research)',
      'answer to two',
      'answer to three',
      'answer to four',
      'answer to five',
    ]);
    expect(events.filter((e) => e.kind === 'run_finished')).toHaveLength(5);
    const answers = await Promise.all([research, ...mid].map((submit) => w.baton.answer(w.ref, submit)));
    expect(answers.map((answer) => answer.reply)).toEqual([
      'researched (research)',
      'answer to two',
      'answer to three',
      'answer to four',
      'answer to five',
    ]);
  });

  it('gives each HTTP message its own reply when one arrives during a tool loop', async () => {
    const w = world();
    const post = (text: string, key: string) =>
      handleHttp(
        w.baton,
        {
          method: 'POST',
          path: `/sessions/${w.ref.sessionId}/messages`,
          query: new URLSearchParams(),
          headers: { 'content-type': 'application/json', 'idempotency-key': key },
          body: JSON.stringify({ text }),
        },
        { deadline: w.later(), tenant: w.ref.tenant },
      );
    const first = post('research', 'k1');
    await w.inLoop();
    // The session is busy: the second message is recorded and answered 202, to be polled or retried.
    const second = await post('and the weather?', 'k2');
    expect(second).toMatchObject({ status: 202, body: { state: 'running' } });
    w.open();
    expect(await first).toMatchObject({ status: 200, body: { reply: 'researched (research)' } });
    expect(await post('and the weather?', 'k2')).toMatchObject({
      status: 200,
      body: { state: 'finished', reply: 'answer to and the weather?', duplicate: true },
    });
  });

  it('folds input that arrives during a tool loop into the turn in batch, one reply for both', async () => {
    const w = world('batch');
    const research = await w.baton.submit(w.ref, { text: 'research', source: 'test' });
    const running = w.baton.run(w.ref, { deadline: w.later() });
    await w.inLoop();
    const two = await w.baton.submit(w.ref, { text: 'two', source: 'test' });
    w.open();
    await running;
    expect(w.model.calls.map(asked)).toEqual([['research'], ['research', 'two']]);
    const answers = await Promise.all([research, two].map((submit) => w.baton.answer(w.ref, submit)));
    expect(answers.map((answer) => answer.reply)).toEqual(['answer to two', 'answer to two']);
  });
});
