import { reply } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { kit } from '../test/kit.js';

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
