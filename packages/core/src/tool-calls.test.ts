import { callTools, reply } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { kit } from '../test/kit.js';

describe('tool calls in a run', () => {
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
});
