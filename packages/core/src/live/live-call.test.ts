import { callTools, DeltaGate, ManualClock, reply, StreamingScriptedModel } from '@baton/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
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
  it('unwatched, publishes every delta to the hub and writes nothing to the store', async () => {
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
    await expect.poll(() => store.stats.reads).toBe(1);
    expect({ writes: live.writes, watchReads: live.watchReads, stored: await store.live.read(ref) }).toEqual({
      writes: 0,
      watchReads: 1,
      stored: null,
    });
    live.end();
    // The call ended: the hub forgets it.
    expect(seen.at(-1)).toBeNull();
    expect(hub.current(ref)).toBeNull();
  });

  it('watched, writes the store at once for the first delta and throttles the rest', async () => {
    const store = new MemoryStore();
    await store.live.watch?.(ref, Date.now() + 15_000);
    const live = call(store, new LiveHub(), 60_000);
    for (const word of ['Hel', 'lo ', 'there']) live.add({ type: 'text_delta', text: word });
    await expect.poll(async () => (await store.live.read(ref))?.text).toBe('Hello there');
    live.add({ type: 'text_delta', text: '!' });
    expect(await store.live.read(ref)).toMatchObject({ afterSeq: 3, runId: 'run-1', text: 'Hello there' });
    expect(live.writes).toBe(1);
    live.end();
    // No write clears the store's record when the call ends (a reader ignores it).
    expect(live.writes).toBe(1);
  });

  it('writes the last change after the interval while the call goes on', async () => {
    const store = new MemoryStore();
    await store.live.watch?.(ref, Date.now() + 15_000);
    const live = call(store, new LiveHub(), 5);
    live.add({ type: 'text_delta', text: 'one ' });
    await expect.poll(() => live.writes).toBe(1);
    live.add({ type: 'text_delta', text: 'two' });
    // The trailing write comes on its own; wait for what it writes, not for a time.
    await expect.poll(async () => (await store.live.read(ref))?.text).toBe('one two');
    expect(live.writes).toBe(2);
    live.end();
  });

  describe('on a fake clock', () => {
    beforeEach(() => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    });
    afterEach(() => {
      vi.useRealTimers();
    });

    it('reads the watch again at most once a second: a watcher arriving mid-call gets the writes, an expired watch stops them', async () => {
      const clock = new ManualClock();
      const store = new MemoryStore({ clock });
      const live = new LiveCall({
        ...{ ref, runId: 'run-1', afterSeq: 3, hub: new LiveHub(), store: store.live },
        ...{ writeEveryMs: 250, clock, logger: silentLogger },
      });
      live.add({ type: 'text_delta', text: 'a' });
      await vi.advanceTimersByTimeAsync(0);
      for (const text of ['b', 'c', 'd']) {
        live.add({ type: 'text_delta', text });
        await vi.advanceTimersByTimeAsync(300);
      }
      // Unwatched for 900 ms of deltas: one read of the watch, no write.
      expect({ reads: live.watchReads, writes: live.writes }).toEqual({ reads: 1, writes: 0 });

      // A follower watches: the read a second after the first finds it and the write follows at once.
      await store.live.watch?.(ref, clock.now() + 15_000);
      live.add({ type: 'text_delta', text: 'e' });
      await vi.advanceTimersByTimeAsync(100);
      expect({ reads: live.watchReads, writes: live.writes }).toEqual({ reads: 2, writes: 1 });
      expect((await store.live.read(ref))?.text).toBe('abcde');

      // Watched: throttled writes, no more reads of the watch.
      for (const text of ['f', 'g', 'h', 'i']) {
        live.add({ type: 'text_delta', text });
        await vi.advanceTimersByTimeAsync(250);
      }
      expect({ reads: live.watchReads, writes: live.writes }).toEqual({ reads: 2, writes: 5 });
      expect((await store.live.read(ref))?.text).toBe('abcdefghi');

      // The follower left: its watch passes, the next change reads it once, finds none, writes nothing.
      clock.advance(15_000);
      for (const text of ['j', 'k', 'l']) {
        live.add({ type: 'text_delta', text });
        await vi.advanceTimersByTimeAsync(300);
      }
      expect({ reads: live.watchReads, writes: live.writes }).toEqual({ reads: 3, writes: 5 });
      live.end();
      await vi.advanceTimersByTimeAsync(5_000);
      expect({ reads: live.watchReads, writes: live.writes }).toEqual({ reads: 3, writes: 5 });
    });
  });
});

describe('a streamed turn', () => {
  async function turn(stream: boolean, watched = false) {
    const gate = new DeltaGate();
    gate.open();
    const store = new MemoryStore();
    if (watched) await store.live.watch?.(ref, Date.now() + 600_000);
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
    const watched = await turn(true, true);
    const plain = await turn(false);
    expect(watched.commits).toBe(plain.commits);
    expect(plain).toMatchObject({ liveWrites: 0, deltas: 0 });
    expect(watched.deltas).toBe(8);
    // The watch itself, then at least the first delta of each of the two model calls.
    expect(watched.liveWrites).toBeGreaterThanOrEqual(3);
  });

  it('writes no live record when nobody watches', async () => {
    const unwatched = await turn(true);
    const plain = await turn(false);
    expect(unwatched).toEqual({ ...plain, liveWrites: 0, deltas: 8 });
  });
});
