import { callTools, countingStore, ManualClock, reply, ScriptedModel } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ArrayQueue, kinds } from '../test/kit.js';
import { defineAgent } from './agent.js';
import { createBaton } from './baton.js';
import { type EventBody, type EventOf, SCHEMA_VERSION, type SessionEvent } from './events.js';
import { silentLogger } from './logger.js';
import { MemoryStore } from './memory-store.js';
import { parseEvents } from './migrate.js';
import { eventRecords } from './record-codec.js';
import { sessionRef } from './session-ref.js';
import { defineTool } from './tool.js';
import type { ListedTool, ToolSource } from './tool-source.js';

/** A source whose listing a test controls; its tools echo their name. */
class TestSource implements ToolSource {
  readonly name = 'remote';
  lists = 0;
  executions = 0;
  failing = false;
  offered: ListedTool[] = [
    {
      name: 'remote_echo',
      description: 'echo',
      inputSchema: { type: 'object', properties: { text: { type: 'string' } } },
    },
  ];
  constructor(public fingerprint = 'v1') {}

  async list(): Promise<ListedTool[]> {
    this.lists++;
    if (this.failing) throw new Error('connection refused');
    return this.offered;
  }

  tools(listed: readonly ListedTool[]) {
    return listed.map((tool) =>
      defineTool({
        name: tool.name,
        description: tool.description ?? tool.name,
        parameters: z.object({ text: z.string() }),
        execute: ({ text }) => {
          this.executions++;
          return { echoed: text };
        },
      }),
    );
  }
}

function world(source: TestSource | null, script: ConstructorParameters<typeof ScriptedModel>[0]) {
  const clock = new ManualClock();
  const counted = countingStore(new MemoryStore());
  const model = new ScriptedModel(script);
  const local = defineTool({
    name: 'local_note',
    description: 'a local tool',
    parameters: z.object({}),
    execute: () => ({ ok: true }),
  });
  const agent = defineAgent({
    name: 'tester',
    instructions: 'test agent',
    model,
    tools: [local],
    ...(source ? { toolSources: [source] } : {}),
    timing: { modelCallMs: 10_000, leaseMs: 30_000 },
  });
  const baton = createBaton({
    store: counted.store,
    agents: [agent],
    queue: new ArrayQueue(),
    clock,
    logger: silentLogger,
  });
  const ref = sessionRef('acme', 's1');
  const turn = async (text: string) => {
    await baton.submit(ref, { text, source: 'test' });
    return baton.run(ref, { deadline: clock.now() + 600_000 });
  };
  return { baton, counted, model, ref, turn, events: () => counted.store.readEvents(ref) };
}

const responses = (events: SessionEvent[]) =>
  events.filter((event): event is EventOf<'model_response'> => event.kind === 'model_response');

describe('tool sources', () => {
  it('lists once, records the listing on the first model response, and reuses it in later invocations', async () => {
    const source = new TestSource();
    const w = world(source, [
      callTools([{ name: 'remote_echo', args: { text: 'a' } }]),
      reply('one'),
      callTools([{ name: 'remote_echo', args: { text: 'b' } }]),
      reply('two'),
    ]);
    await w.turn('first');
    await w.turn('second');
    expect(source.lists).toBe(1);
    expect(source.executions).toBe(2);
    const listings = responses(await w.events()).map((event) => event.toolListings);
    expect(listings[0]).toEqual([{ source: 'remote', fingerprint: 'v1', tools: source.offered }]);
    expect(listings.slice(1)).toEqual([undefined, undefined, undefined]);
    for (const call of w.model.calls) {
      expect(call.tools.map((tool) => tool.name)).toEqual(['local_note', 'remote_echo']);
    }
  });

  it('costs no write: a turn that lists a source writes as often as one on an agent without sources', async () => {
    const script = () => [callTools([{ name: 'local_note', args: {} }]), reply('done')];
    const withSource = world(new TestSource(), script());
    await withSource.turn('go');
    const plain = world(null, script());
    await plain.turn('go');
    expect(withSource.counted.counts.writes).toBe(plain.counted.counts.writes);
    expect(kinds(await withSource.events())).toEqual(kinds(await plain.events()));
  });

  it('lists again when the source fingerprint changes', async () => {
    const source = new TestSource('v1');
    const w = world(source, [reply('one'), reply('two')]);
    await w.turn('first');
    source.fingerprint = 'v2';
    await w.turn('second');
    expect(source.lists).toBe(2);
    expect(responses(await w.events()).map((event) => event.toolListings?.[0]?.fingerprint)).toEqual([
      'v1',
      'v2',
    ]);
  });

  it('goes on without the tools of a source that cannot be listed, and lists it at the next invocation', async () => {
    const source = new TestSource();
    source.failing = true;
    const w = world(source, [reply('without'), reply('with')]);
    expect(await w.turn('first')).toMatchObject({ kind: 'finished', text: 'without' });
    expect(w.model.calls[0]?.tools.map((tool) => tool.name)).toEqual(['local_note']);
    source.failing = false;
    await w.turn('second');
    expect(w.model.calls[1]?.tools.map((tool) => tool.name)).toEqual(['local_note', 'remote_echo']);
    expect(responses(await w.events()).map((event) => event.toolListings?.length ?? 0)).toEqual([0, 1]);
  });

  it('leaves out a listed tool whose name is taken by a local tool', async () => {
    const source = new TestSource();
    source.offered = [...source.offered, { name: 'local_note', inputSchema: { type: 'object' } }];
    const w = world(source, [reply('ok')]);
    await w.turn('first');
    expect(w.model.calls[0]?.tools.map((tool) => tool.name)).toEqual(['local_note', 'remote_echo']);
    expect(w.model.calls[0]?.tools[0]?.description).toBe('a local tool');
  });
});

describe('tool listings in the record codec', () => {
  it('round-trips a model response with listings, the listed schemas stored as they came', () => {
    const body: EventBody = {
      kind: 'model_response',
      text: '',
      toolCalls: [{ callId: 'c1', name: 'remote_echo', arguments: '{}' }],
      usage: { inputTokens: 1, outputTokens: 1 },
      stopReason: 'tool_calls',
      provider: 'scripted',
      model: 'm',
      latencyMs: 3,
      contextThrough: 1,
      toolListings: [
        {
          source: 'remote',
          fingerprint: 'http://x/mcp  ',
          tools: [
            {
              name: 'remote_echo',
              description: 'echo',
              inputSchema: {
                type: 'object',
                properties: { text: { type: 'string' }, kind: { type: 'string' } },
              },
              annotations: { readOnlyHint: true },
            },
          ],
        },
      ],
    };
    const event = { ...body, v: SCHEMA_VERSION, seq: 2, at: 1_767_225_600_000 } as SessionEvent;
    const records = eventRecords([event]);
    expect(JSON.stringify(records)).toContain('"toolListings"');
    expect(parseEvents(records)).toEqual([event]);
  });
});
