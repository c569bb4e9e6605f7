import { callTools, reply, ScriptedModel, testApp } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAgent } from './agent.js';
import { defineBaton } from './app/define-baton.js';
import type { EventOf } from './events.js';
import { defineTool, type ToolExecution, ToolOutcomeUnknownError } from './tool.js';

/** An app whose one tool fails the way a 5xx after the request left does, counting its runs. */
function halfFailing(execution: ToolExecution) {
  let runs = 0;
  const book = defineTool({
    name: 'book_room',
    description: 'Books a room',
    parameters: z.object({ room: z.string() }),
    execution,
    execute: () => {
      runs++;
      throw new ToolOutcomeUnknownError('the booking service answered 502');
    },
  });
  const model = new ScriptedModel([
    callTools([{ name: 'book_room', args: { room: 'A' }, callId: 'b1' }]),
    reply('Told the user.'),
  ]);
  const t = testApp(
    defineBaton({ agents: [defineAgent({ name: 'desk', instructions: 'Book.', tools: [book] })] }),
    {
      model,
    },
  );
  return { t, model, runs: () => runs };
}

async function results(t: ReturnType<typeof halfFailing>['t']): Promise<EventOf<'tool_result'>[]> {
  const events = await t.app.baton.store.readEvents({ tenant: 'default', sessionId: 's1' });
  return events.filter((event): event is EventOf<'tool_result'> => event.kind === 'tool_result');
}

describe('a tool that says its outcome is unknown', () => {
  it('records an at-most-once call as unknown, once, and tells the model it may have happened', async () => {
    const { t, model, runs } = halfFailing('at-most-once');
    const answer = await t.send('s1', 'book room A');
    expect(answer.reply).toBe('Told the user.');
    const recorded = await results(t);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ callId: 'b1', outcome: 'unknown' });
    expect(JSON.stringify(recorded[0]!.output)).toContain('may or may not have taken effect');
    expect(runs()).toBe(1);
    expect(model.calls[1]?.messages.at(-1)).toMatchObject({ role: 'tool', callId: 'b1' });
  });

  it('records an idempotent call as an error, like any throw', async () => {
    const { t, runs } = halfFailing('idempotent');
    await t.send('s1', 'book room A');
    const recorded = await results(t);
    expect(recorded.map((event) => event.outcome)).toEqual(['error']);
    expect(runs()).toBe(1);
  });
});
