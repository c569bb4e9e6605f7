import { reply } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { type Kit, kit } from '../test/kit.js';
import type { ModelRequest } from './model.js';

/** The texts of the user messages a model call saw, in order. */
const asked = (request: ModelRequest) =>
  request.messages.filter((m) => m.role === 'user').map((m) => m.content);

/**
 * A world whose first model call never returns (the invocation making it was killed while its
 * lease was still live); every later call answers the user messages it saw since the last answer.
 */
function crashingWorld(inputs: 'batch' | 'one_at_a_time'): Kit {
  return kit(
    (request, index) => {
      if (index === 0) return new Promise(() => {});
      const last = request.messages.findLastIndex((m) => m.role === 'assistant');
      const fresh = request.messages.slice(last + 1).filter((m) => m.role === 'user');
      return reply(`answer to ${fresh.map((m) => m.content).join(' + ')}`);
    },
    { inputs },
  );
}

/** Input A; the run answering it dies inside the model call; input B arrives; recovery runs. */
async function crashThenRecover(t: Kit): Promise<{ a: number; b: number }> {
  const a = await t.baton.submit(t.ref, { text: 'A', source: 'test' });
  void t.baton.run(t.ref, { deadline: t.later(), owner: 'killed' });
  while (t.model.calls.length === 0) await new Promise((resolve) => setImmediate(resolve));
  const b = await t.baton.submit(t.ref, { text: 'B', source: 'test' });
  t.clock.advance(60_000);
  const outcome = await t.baton.run(t.ref, { deadline: t.later(), owner: 'recovery' });
  expect(outcome.kind).toBe('finished');
  return { a: a.inputSeq, b: b.inputSeq };
}

async function answerFor(t: Kit, inputSeq: number) {
  return t.baton.answer(t.ref, { session: t.ref, inputSeq, duplicate: false });
}

describe('input that arrives while a crashed run waits for recovery', () => {
  it('gets its own answer after the interrupted turn’s, one at a time', async () => {
    const t = crashingWorld('one_at_a_time');
    const { a, b } = await crashThenRecover(t);
    expect(t.model.calls.slice(1).map(asked)).toEqual([['A'], ['A', 'B']]);
    expect(await answerFor(t, a)).toMatchObject({ state: 'finished', reply: 'answer to A' });
    expect(await answerFor(t, b)).toMatchObject({ state: 'finished', reply: 'answer to B' });
  });

  it('is answered together with the interrupted input in one reply recorded for both, in batch', async () => {
    const t = crashingWorld('batch');
    const { a, b } = await crashThenRecover(t);
    expect(t.model.calls.slice(1).map(asked)).toEqual([['A', 'B']]);
    const events = await t.store.readEvents(t.ref);
    const response = events.find((event) => event.kind === 'model_response');
    // The one reply is recorded as answering both: its context ran through B.
    expect(response).toMatchObject({ text: 'answer to A + B', contextThrough: b });
    expect(await answerFor(t, a)).toMatchObject({ state: 'finished', reply: 'answer to A + B' });
    expect(await answerFor(t, b)).toMatchObject({ state: 'finished', reply: 'answer to A + B' });
  });
});
