import { reply, ScriptedModel } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { defineAgent } from '../agent.js';
import { createBaton } from '../baton.js';
import { silentLogger } from '../logger.js';
import { MemoryStore } from '../memory-store.js';
import { sessionRef } from '../session-ref.js';
import { LIVE_WATCH_MS } from './live-store.js';
import { openSessionStream } from './session-stream.js';

const ref = sessionRef('acme', 'watched');

function batonOn(store: MemoryStore) {
  const agent = defineAgent({ name: 'plain', instructions: '', model: new ScriptedModel([reply('Hi.')]) });
  return createBaton({ store, agents: [agent], queue: { enqueue: async () => {} }, logger: silentLogger });
}

describe('a stream following from another process', () => {
  it('watches the session when it starts, so a runner elsewhere writes its live record', async () => {
    const store = new MemoryStore();
    await batonOn(store).converse(ref, { text: 'hello', source: 'test' }, { deadline: Date.now() + 60_000 });
    expect(await store.live.watchedUntil?.(ref)).toBeNull();

    // Another instance (its own hub, no call of the session in it) follows the session.
    const before = Date.now();
    const reader = (await openSessionStream(batonOn(store), ref, { pollMs: 60_000 })).getReader();
    await reader.read(); // retry:
    const next = reader.read(); // the first poll: the head, the watch, then a wait for news
    await expect.poll(() => store.live.watchedUntil?.(ref)).not.toBeNull();
    const until = await store.live.watchedUntil?.(ref);
    expect(until).toBeGreaterThanOrEqual(before + LIVE_WATCH_MS);
    await reader.cancel();
    await next;
    // One watch write; a renewal waits LIVE_WATCH_REFRESH_MS.
    expect(await store.live.watchedUntil?.(ref)).toBe(until);
  });
});
