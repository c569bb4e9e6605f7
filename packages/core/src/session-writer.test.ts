import { ManualClock } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { ConflictError } from './errors.js';
import { newHead } from './head.js';
import { acquireLease } from './lease.js';
import { MemoryStore } from './memory-store.js';
import { sessionRef } from './session-ref.js';
import { SessionWriter } from './session-writer.js';
import type { CommitRequest } from './store.js';

const ref = sessionRef('acme', 'writer');

/** A store whose next commit lands but answers ConflictError, as when a client retries a write that already succeeded. */
class LostAnswerStore extends MemoryStore {
  loseNextAnswer = false;
  override async commit(request: CommitRequest): Promise<void> {
    await super.commit(request);
    if (this.loseNextAnswer) {
      this.loseNextAnswer = false;
      throw new ConflictError('412 on the retry of a write that had landed');
    }
  }
}

async function setup() {
  const clock = new ManualClock();
  const store = new LostAnswerStore();
  await store.commit({
    ref,
    expectedVersion: null,
    head: { ...newHead(ref.tenant, ref.sessionId, 'a', clock.now()), version: 1 },
    events: [],
  });
  const held = await acquireLease(store, ref, { owner: 'me', clock, leaseMs: 30_000 });
  return { clock, store, writer: new SessionWriter(store, ref, held, clock, 30_000) };
}

describe('SessionWriter', () => {
  it('does not commit a step twice when its write landed but the answer was a conflict', async () => {
    const { store, writer } = await setup();
    store.loseNextAnswer = true;
    await writer.commit({ events: [{ kind: 'error', code: 'x', message: 'first step', retryable: false }] });
    await writer.commit({ events: [{ kind: 'error', code: 'y', message: 'second step', retryable: false }] });
    const events = await store.readEvents(ref);
    expect(events.map((event) => event.kind === 'error' && event.message)).toEqual([
      'first step',
      'second step',
    ]);
    expect(events.map((event) => event.seq)).toEqual([1, 2]);
    expect(writer.behind).toBe(false);
  });

  it('lands a step on top of input appended meanwhile, keeping its lease', async () => {
    const { store, writer, clock } = await setup();
    const head = (await store.readHead(ref))!;
    const input = {
      kind: 'input' as const,
      text: 'hi',
      source: 'test',
      v: 2,
      seq: head.seq + 1,
      at: clock.now(),
    };
    await store.commit({
      ref,
      expectedVersion: head.version,
      head: { ...head, version: head.version + 1, seq: head.seq + 1, lastInputSeq: head.seq + 1 },
      events: [input],
    });
    await writer.commit({ events: [{ kind: 'error', code: 'x', message: 'step', retryable: false }] });
    expect((await store.readEvents(ref)).map((event) => event.kind)).toEqual(['input', 'error']);
    expect(writer.behind).toBe(true);
    expect((await store.readHead(ref))?.lease?.owner).toBe('me');
  });
});
