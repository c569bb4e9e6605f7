import { callTools, DeltaGate, reply, StreamingScriptedModel } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { defineAgent } from '../agent.js';
import { createBaton } from '../baton.js';
import { systemClock } from '../clock.js';
import { silentLogger } from '../logger.js';
import { MemoryStore } from '../memory-store.js';
import { sessionRef } from '../session-ref.js';
import { LiveCall } from './live-call.js';
import { LiveHub } from './live-hub.js';

const ref = sessionRef('acme', 'live');

function call(store: MemoryStore, hub: LiveHub, writeEveryMs: number): LiveCall {
  return new LiveCall({
    ref,
    runId: 'run-1',
    afterSeq: 3,
    hub,
    store: store.live,
    writeEveryMs,
    clock: systemClock,
    logger: silentLogger,
  });
}

describe('LiveCall', () => {
  it('publishes every delta to the hub, writes the store at once for the first and throttles the rest', async () => {
    const store = new MemoryStore();
    const hub = new LiveHub();
    const seen: (string | null)[] = [];
    hub.subscribe(ref, (snapshot) => seen.push(snapshot?.text ?? null));
    const live = call(store, hub, 60_000);
    for (const word of ['Hel', 'lo ', 'there']) live.add({ type: 'text_delta', text: word });
    live.add({ type: 'tool_call_delta', callId: 'c1', name: 'look', argumentsDelta: '{"a":' });
    live.add({ type: 'tool_call_delta', callId: 'c1', argumentsDelta: '1}' });
    expect(seen).toEqual(['Hel', 'Hello ', 'Hello there', 'Hello there', 'Hello there']);
    expect(hub.current(ref)?.toolCalls).toEqual([{ callId: 'c1', name: 'look', arguments: '{"a":1}' }]);
    expect(live.writes).toBe(1);
    expect(await store.live.read(ref)).toMatchObject({ afterSeq: 3, runId: 'run-1', text: 'Hel' });
    live.end();
    // The call ended: the hub forgets it, and no write clears the store's record (a reader ignores it).
    expect(seen.at(-1)).toBeNull();
    expect(hub.current(ref)).toBeNull();
    expect(live.writes).toBe(1);
  });

  it('writes the last change after the interval while the call goes on', async () => {
    const store = new MemoryStore();
    const live = call(store, new LiveHub(), 5);
    live.add({ type: 'text_delta', text: 'one ' });
    live.add({ type: 'text_delta', text: 'two' });
    // The trailing write comes on its own; wait for what it writes, not for a time.
    await expect.poll(async () => (await store.live.read(ref))?.text).toBe('one two');
    expect(live.writes).toBe(2);
    live.end();
  });
});

describe('a streamed turn', () => {
  async function turn(stream: boolean) {
    const gate = new DeltaGate();
    gate.open();
    const store = new MemoryStore();
    const model = new StreamingScriptedModel(
      [
        callTools([{ name: 'missing', args: {} }], { text: 'Let me see. ' }),
        reply('It is not there, sorry.'),
      ],
      { pace: () => gate.next() },
    );
    const agent = defineAgent({ name: 'streamer', instructions: '', model, policies: { stream } });
    const baton = createBaton({
      store,
      agents: [agent],
      queue: { enqueue: async () => {} },
      logger: silentLogger,
    });
    const result = await baton.converse(
      ref,
      { text: 'find it', source: 'test' },
      { deadline: Date.now() + 600_000 },
    );
    expect(result).toMatchObject({ state: 'finished', reply: 'It is not there, sorry.' });
    return { commits: store.stats.commits, liveWrites: store.stats.liveWrites, deltas: gate.passed };
  }

  it('commits as many writes as an unstreamed one: live writes are not commits', async () => {
    const streamed = await turn(true);
    const plain = await turn(false);
    expect(streamed.commits).toBe(plain.commits);
    expect(plain).toMatchObject({ liveWrites: 0, deltas: 0 });
    expect(streamed.deltas).toBe(8);
    expect(streamed.liveWrites).toBeGreaterThanOrEqual(2);
  });
});
