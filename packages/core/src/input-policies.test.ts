import { reply } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { kit } from '../test/kit.js';

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
