import { ManualClock } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { ArrayQueue } from '../test/kit.js';
import { defineAgent } from './agent.js';
import { createBaton } from './baton.js';
import { silentLogger } from './logger.js';
import { MemoryStore } from './memory-store.js';
import type { Model } from './model.js';
import { markOutboxSent, recordOutbox } from './outbox.js';
import { type SessionRef, sessionRef } from './session-ref.js';
import type { CommitRequest } from './store.js';

const ref = sessionRef('T1', 'slack:T1:C1:1.1');
const entry = (messageId: string) => ({ messageId, channel: 'slack', payload: { text: messageId } });

/** A store that runs `before` once, just before the first commit it is asked for. */
class InterleavingStore extends MemoryStore {
  before: (() => Promise<void>) | null = null;
  override async commit(request: CommitRequest): Promise<void> {
    const before = this.before;
    this.before = null;
    if (before) await before();
    return super.commit(request);
  }
}

function setup(model?: Model) {
  const store = new InterleavingStore();
  const clock = new ManualClock();
  const echo: Model = model ?? {
    provider: 'echo',
    modelId: 'echo',
    generate: async () => ({
      text: 'ok',
      toolCalls: [],
      usage: { inputTokens: 1, outputTokens: 1 },
      stopReason: 'end',
      model: 'echo',
    }),
  };
  const agent = defineAgent({
    name: 'echo',
    instructions: 'echo',
    model: echo,
    timing: { modelCallMs: 1_000 },
  });
  const baton = createBaton({
    store,
    agents: [agent],
    queue: new ArrayQueue(),
    clock,
    logger: silentLogger,
  });
  return { store, baton, clock };
}

async function kinds(baton: ReturnType<typeof setup>['baton'], at: SessionRef = ref): Promise<string[]> {
  return (await baton.events(at)).map((event) => event.kind);
}

describe('recordOutbox', () => {
  it('appends entries without touching the input mark, the status or the lease', async () => {
    const { baton, store } = setup();
    await baton.submit(ref, { text: 'hi', source: 'slack' });
    const before = (await store.readHead(ref))!;
    const result = await recordOutbox(baton, ref, [entry('m1'), entry('m2')], {
      knownThroughSeq: before.seq,
    });
    expect(result.recorded).toEqual(['m1', 'm2']);
    const after = (await store.readHead(ref))!;
    expect(after).toMatchObject({
      seq: before.seq + 2,
      version: before.version + 1,
      lastInputSeq: before.lastInputSeq,
      processedSeq: before.processedSeq,
      status: before.status,
      lease: before.lease,
    });
    expect(await kinds(baton)).toEqual(['input', 'outbox', 'outbox']);
  });

  it('skips ids another invocation recorded meanwhile and retries on the conflict', async () => {
    const { baton, store } = setup();
    await baton.submit(ref, { text: 'hi', source: 'slack' });
    const known = (await store.readHead(ref))!.seq;
    store.before = async () => {
      await recordOutbox(baton, ref, [entry('m1')], { knownThroughSeq: known });
    };
    const result = await recordOutbox(baton, ref, [entry('m1'), entry('m2')], { knownThroughSeq: known });
    expect(result).toMatchObject({ recorded: ['m2'], alreadyRecorded: ['m1'] });
    expect(result.events.map((event) => event.kind)).toEqual(['outbox', 'outbox']);
    expect(await kinds(baton)).toEqual(['input', 'outbox', 'outbox']);
  });

  it('lets a lease holder finish its run when entries are recorded during a model call', async () => {
    let baton!: ReturnType<typeof setup>['baton'];
    const model: Model = {
      provider: 'p',
      modelId: 'm',
      generate: async () => {
        await recordOutbox(baton, ref, [entry('during-run')]);
        return {
          text: 'answer',
          toolCalls: [],
          usage: { inputTokens: 1, outputTokens: 1 },
          stopReason: 'end',
          model: 'm',
        };
      },
    };
    const env = setup(model);
    baton = env.baton;
    await baton.submit(ref, { text: 'hi', source: 'slack' });
    const outcome = await baton.run(ref, { deadline: env.clock.now() + 60_000 });
    expect(outcome.kind).toBe('finished');
    expect(await kinds(baton)).toEqual(['input', 'outbox', 'model_response', 'run_finished']);
    expect((await baton.session(ref)).status).toBe('idle');
  });
});

describe('markOutboxSent', () => {
  it('records one mark when two invocations mark the same message', async () => {
    const { baton } = setup();
    await baton.submit(ref, { text: 'hi', source: 'slack' });
    await recordOutbox(baton, ref, [entry('m1')]);
    expect(await markOutboxSent(baton, ref, 'm1', { ts: '1.2' })).toEqual({ duplicate: false });
    expect(await markOutboxSent(baton, ref, 'm1', { ts: '1.2' })).toEqual({ duplicate: true });
    expect(await kinds(baton)).toEqual(['input', 'outbox', 'outbox_sent']);
  });

  it('throws session_not_found when the session was deleted', async () => {
    const { baton } = setup();
    await expect(markOutboxSent(baton, ref, 'm1', {})).rejects.toMatchObject({ code: 'session_not_found' });
  });
});
