import { callTools, ManualClock, reply, ScriptedModel, type ScriptFunction } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ArrayQueue, kinds } from '../test/kit.js';
import { type AgentOptions, defineAgent } from './agent.js';
import { createBaton } from './baton.js';
import type { EventOf, SessionEvent } from './events.js';
import { eventChunks } from './live/ui-chunks.js';
import { silentLogger } from './logger.js';
import { MemoryStore } from './memory-store.js';
import { sessionRef } from './session-ref.js';
import { checkAnswer, OUTPUT_INVALID, outputSchema } from './structured-output.js';
import { defineTool } from './tool.js';
import { webhookBody } from './webhooks/webhook-payload.js';

const invoice = z.object({ customer: z.string(), total: z.number(), paid: z.boolean() });

const lookup = defineTool({
  name: 'lookup',
  description: 'look up a city',
  parameters: z.object({ city: z.string() }),
  execute: ({ city }) => ({ city, tempC: 4 }),
});

function world(script: ScriptFunction | ReturnType<typeof reply>[], agent: Partial<AgentOptions> = {}) {
  const clock = new ManualClock();
  const store = new MemoryStore();
  const model = new ScriptedModel(script);
  const defined = defineAgent({
    name: 'clerk',
    instructions: 'Answer in JSON.',
    model,
    tools: [lookup],
    limits: { maxSteps: 4 },
    timing: { modelCallMs: 10_000, leaseMs: 30_000 },
    policies: { stream: false },
    ...agent,
  });
  const baton = () =>
    createBaton({ store, agents: [defined], queue: new ArrayQueue(), clock, logger: silentLogger });
  return { clock, store, model, baton: baton(), another: baton, ref: sessionRef('acme', 'job-1') };
}

function finishedOf(events: SessionEvent[]): EventOf<'run_finished'> {
  return events.filter((event): event is EventOf<'run_finished'> => event.kind === 'run_finished').at(-1)!;
}

describe('structured results', () => {
  it('stores the validated answer on run_finished and returns it when the agent declares a schema', async () => {
    const t = world([reply('{"customer":"Acme","total":42.5,"paid":false}')], { output: invoice });

    const answer = await t.baton.converse(
      t.ref,
      { text: 'bill Acme', source: 'test' },
      {
        deadline: t.clock.now() + 60_000,
      },
    );

    expect(answer).toMatchObject({
      state: 'finished',
      output: { customer: 'Acme', total: 42.5, paid: false },
      session: { lastOutput: { customer: 'Acme', total: 42.5, paid: false } },
    });
    expect(t.model.calls[0]!.output).toEqual({
      name: 'output',
      schema: expect.objectContaining({ type: 'object', additionalProperties: false }),
    });
    expect(t.model.calls[0]!.output!.schema).not.toHaveProperty('$schema');
    const events = await t.store.readEvents(t.ref);
    expect(kinds(events)).toEqual(['input', 'model_response', 'run_finished']);
    expect(finishedOf(events)).toMatchObject({
      reason: 'completed',
      output: { customer: 'Acme', total: 42.5, paid: false },
    });
    const head = (await t.store.readHead(t.ref))!;
    const entry = { messageId: 'm1', type: 'run.finished', seq: finishedOf(events).seq, at: 0 } as const;
    expect(JSON.parse(webhookBody(t.ref, head, events, entry as never)).data).toMatchObject({
      reason: 'completed',
      output: { customer: 'Acme', total: 42.5, paid: false },
    });
  });

  it('feeds a mismatch back to the model and stores the corrected answer', async () => {
    const t = world(
      [reply('Acme owes 42.'), reply('```json\n{"customer":"Acme","total":42,"paid":true}\n```')],
      {
        output: invoice,
      },
    );

    const outcome = await t.baton.submitAndRun(
      t.ref,
      { text: 'bill Acme', source: 'test' },
      {
        deadline: t.clock.now() + 60_000,
      },
    );

    expect(outcome.outcome).toMatchObject({
      kind: 'finished',
      output: { customer: 'Acme', total: 42, paid: true },
    });
    const events = await t.store.readEvents(t.ref);
    expect(kinds(events)).toEqual(['input', 'model_response', 'error', 'model_response', 'run_finished']);
    expect(events[2]).toMatchObject({ kind: 'error', code: OUTPUT_INVALID });
    // The second call saw its first answer and why it was refused, as a user message.
    const messages = t.model.calls[1]!.messages;
    expect(messages.at(-2)).toMatchObject({ role: 'assistant', content: 'Acme owes 42.' });
    expect(messages.at(-1)).toMatchObject({ role: 'user', content: expect.stringContaining('is not JSON') });
    expect(t.model.calls[1]!.output?.name).toBe('output');
    expect((await t.store.readHead(t.ref))!).toMatchObject({ status: 'idle', runSteps: 0 });
  });

  it('fails the run with a clear reason when the answer never matches within maxSteps', async () => {
    const t = world(() => reply('{"customer":"Acme","total":"a lot","paid":true}'), {
      output: invoice,
      limits: { maxSteps: 3 },
    });

    const answer = await t.baton.converse(
      t.ref,
      { text: 'bill Acme', source: 'test' },
      {
        deadline: t.clock.now() + 60_000,
      },
    );

    expect(answer).toMatchObject({ state: 'failed', reply: null });
    expect(answer).not.toHaveProperty('output');
    expect(t.model.calls).toHaveLength(3);
    const events = await t.store.readEvents(t.ref);
    expect(kinds(events)).toEqual([
      'input',
      'model_response',
      'error',
      'model_response',
      'error',
      'model_response',
      'error',
      'run_finished',
    ]);
    expect(finishedOf(events)).toMatchObject({ reason: 'failed', text: '' });
    const last = events.at(-2) as EventOf<'error'>;
    expect(last.code).toBe(OUTPUT_INVALID);
    expect(last.message).toMatch(/did not match the output schema within the run's 3 model calls/);
    expect(last.message).toMatch(/total: .*expected number/);
    expect((await t.store.readHead(t.ref))!).toMatchObject({ status: 'failed', runSteps: 0, lease: null });
  });

  it("records a run's own schema on its input and checks the answer with it in a later invocation", async () => {
    let t: ReturnType<typeof world>;
    t = world((_request, index) => {
      if (index === 0) {
        // The first invocation's time runs out after this call: the rest continues elsewhere.
        t.clock.advance(10_000);
        return callTools([{ name: 'lookup', args: { city: 'Oslo' } }]);
      }
      return index === 1 ? reply('{"city":"Oslo"}') : reply('{"city":"Oslo","tempC":4}');
    });
    const weather = z.object({ city: z.string(), tempC: z.number() });

    const first = await t.baton.submitAndRun(
      t.ref,
      { text: 'weather in Oslo', source: 'queue', output: { name: 'weather', schema: weather } },
      { deadline: t.clock.now() + 15_000 },
    );
    expect(first.outcome).toMatchObject({ kind: 'continued' });
    const input = (await t.store.readEvents(t.ref))[0] as EventOf<'input'>;
    expect(input.output).toEqual({ name: 'weather', schema: expect.objectContaining({ type: 'object' }) });
    expect(input.output!.schema).toMatchObject({ required: ['city', 'tempC'] });

    // Another process (no zod schema in hand) continues the run from the log alone.
    const outcome = await t.another().run(t.ref, { deadline: t.clock.now() + 60_000 });

    expect(outcome).toMatchObject({ kind: 'finished', output: { city: 'Oslo', tempC: 4 } });
    expect(t.model.calls.map((call) => call.output?.name)).toEqual(['weather', 'weather', 'weather']);
    const events = await t.store.readEvents(t.ref);
    expect(events.filter((event) => event.kind === 'error')).toEqual([
      expect.objectContaining({ code: OUTPUT_INVALID, message: expect.stringContaining('tempC') }),
    ]);
    expect(finishedOf(events).output).toEqual({ city: 'Oslo', tempC: 4 });
  });

  it('keeps a later input waiting while the rejected answer is corrected, one input at a time', async () => {
    const valid = (customer: string) => reply(`{"customer":"${customer}","total":1,"paid":true}`);
    const t = world([reply('not JSON'), valid('first'), valid('second')], {
      output: invoice,
      policies: { inputs: 'one_at_a_time', stream: false },
    });
    await t.baton.submit(t.ref, { text: 'first', source: 'test' });
    await t.baton.submit(t.ref, { text: 'second', source: 'test' });

    await t.baton.run(t.ref, { deadline: t.clock.now() + 60_000 });

    const users = (index: number) =>
      t.model.calls[index]!.messages.filter((message) => message.role === 'user').map((m) => m.content);
    expect(users(0)).toEqual(['first']);
    expect(users(1)).toEqual(['first', expect.stringContaining('not accepted')]);
    expect(users(2)).toContain('second');
    const outputs = (await t.store.readEvents(t.ref))
      .filter((event): event is EventOf<'run_finished'> => event.kind === 'run_finished')
      .map((event) => event.output);
    expect(outputs).toEqual([
      { customer: 'first', total: 1, paid: true },
      { customer: 'second', total: 1, paid: true },
    ]);
  });

  it("uses a run's own schema for that run only, and none when neither declares one", async () => {
    const t = world([reply('{"ok":true}'), reply('plain words')]);
    const ok = { schema: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] } };
    const run = (text: string, output?: typeof ok) =>
      t.baton.converse(
        t.ref,
        { text, source: 'test', ...(output ? { output } : {}) },
        {
          deadline: t.clock.now() + 60_000,
        },
      );

    expect(await run('check', ok)).toMatchObject({ state: 'finished', output: { ok: true } });
    const second = await run('chat');
    expect(second).toMatchObject({ state: 'finished', reply: 'plain words' });
    expect(second).not.toHaveProperty('output');
    expect(second.session).not.toHaveProperty('lastOutput');
    expect(t.model.calls[1]).not.toHaveProperty('output');
  });
});

describe('the UI message stream', () => {
  it("ends a structured run with its output as the finish chunk's message metadata", () => {
    const finished = { kind: 'run_finished', reason: 'completed', text: '{"ok":true}', output: { ok: true } };
    expect(eventChunks({ ...finished, v: 3, seq: 5, at: 0 } as SessionEvent)).toEqual([
      { type: 'finish', finishReason: 'stop', messageMetadata: { output: { ok: true } } },
    ]);
  });
});

describe('outputSchema', () => {
  it('refuses a root that is not an object, a bad name and an oversized schema with what to do', () => {
    expect(() => outputSchema(z.array(z.string()), 'agent a')).toThrow(/wrap a list or a single value/);
    expect(() => outputSchema({ name: 'has space', schema: invoice }, 'agent a')).toThrow(/output.name/);
    const huge = { type: 'object', description: 'x'.repeat(20_000) };
    expect(() => outputSchema({ schema: huge }, 'this run')).toThrow(/the limit is 16384/);
    expect(() => outputSchema({ schema: { type: 'frob' } }, 'this run')).toThrow(
      /not a JSON Schema Baton can check/,
    );
  });

  it('accepts an answer in a code fence and reports every mismatch by path', () => {
    const schema = outputSchema(invoice, 'test');
    expect(checkAnswer('{"customer":"A","total":1,"paid":true}', schema)).toEqual({
      ok: true,
      output: { customer: 'A', total: 1, paid: true },
    });
    const wrong = checkAnswer('{"customer":1}', schema);
    expect(wrong.ok).toBe(false);
    expect(!wrong.ok && wrong.message).toMatch(/customer: .*; total: .*; paid: /);
    expect(checkAnswer('anything', undefined)).toEqual({ ok: true });
  });
});
