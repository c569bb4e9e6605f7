import {
  createBaton,
  defineAgent,
  defineTool,
  type RunMessage,
  type RunQueue,
  type SessionEvent,
  type SessionRef,
  type SessionStore,
  silentLogger,
  type ToolExecution,
} from '@baton/core';
import { acquireLease } from '@baton/core/store';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { countingStore } from '../counting-store.js';
import { callTools, reply, ScriptedModel } from '../scripted-model.js';
import type { ConformanceContext } from './store-harness.js';

/** A queue that keeps what was enqueued: the worker delivers it by hand. */
class KeptQueue implements RunQueue {
  readonly messages: RunMessage[] = [];
  async enqueue(message: RunMessage): Promise<void> {
    this.messages.push(message);
  }
}

/**
 * Store writes per turn, the durability promise at its floor (issue 19): every model response and
 * every tool result is committed before anything outside the run depends on it, and the input
 * before it is acknowledged, in as few commits as that allows. Counted through the store contract
 * (`countingStore`), so every backend is held to the same numbers:
 *
 * - a turn run inline by the invocation that records its input (HTTP `converse`): the input with
 *   the lease, the answer with run_finished and the release (2); a tool call adds the model
 *   response that makes it, and an idempotent tool's result rides with the answer (3);
 * - an at-most-once tool keeps its intent and result writes, but its intent rides in the commit of
 *   the model response that makes the call when the call starts right after it (4);
 * - an approval: the response, the announcement, the release (4), then the decision, the worker's
 *   lease, and the result with the answer (3); an approved at-most-once call commits its intent
 *   and its result on their own (5), since nothing it could share a commit with precedes its start;
 * - a queue worker that takes the turn over adds one write, its lease (3, 4 with an idempotent
 *   tool, 5 with an at-most-once one).
 */
export function describeWriteCountCases(ctx: ConformanceContext): void {
  const world = (options: { execution?: ToolExecution; needsApproval?: boolean } = {}) => {
    const counted = countingStore(ctx.store());
    const queue = new KeptQueue();
    let runs = 0;
    const agent = defineAgent({
      name: 'write-counts',
      instructions: 'Answer; look things up when asked.',
      model: new ScriptedModel((request) => {
        const last = request.messages.at(-1);
        if (last?.role === 'user' && last.content.startsWith('look up')) {
          return callTools([{ name: 'lookup', args: { what: last.content } }]);
        }
        return reply(last?.role === 'tool' ? `found ${last.content}` : 'hello');
      }),
      tools: [
        defineTool({
          name: 'lookup',
          description: 'looks something up',
          parameters: z.object({ what: z.string() }),
          execution: options.execution ?? 'idempotent',
          needsApproval: options.needsApproval ?? false,
          execute: ({ what }, { state }) => {
            runs++;
            state.set('looked', what);
            return { runs };
          },
        }),
      ],
    });
    const baton = createBaton({
      store: counted.store,
      agents: [agent],
      queue,
      clock: ctx.clock,
      logger: silentLogger,
    });
    const turn = async (ref: SessionRef, text: string) => {
      counted.reset();
      const result = await baton.converse(ref, { text, source: 'conformance' }, { deadline: later() });
      return { result, writes: counted.reset().writes };
    };
    const deliver = async (ref: SessionRef) => {
      const message = queue.messages.findLast((candidate) => candidate.sessionId === ref.sessionId)!;
      return baton.handle(message, { deadline: later(), owner: 'worker' });
    };
    /** An approver approves the call; the worker then runs what the decision enqueued. */
    const approveAndDeliver = async (ref: SessionRef, callId: string) => {
      await baton.decide(ref, {
        callId,
        approved: true,
        identity: { tenant: ref.tenant, user: 'key:approver', scopes: ['approve'], via: 'api_key' },
      });
      return deliver(ref);
    };
    return { baton, counted, queue, turn, deliver, approveAndDeliver, runs: () => runs };
  };
  const later = () => ctx.clock.now() + 600_000;
  const kinds = async (store: SessionStore, ref: SessionRef) =>
    (await store.readEvents(ref)).map((event: SessionEvent) => event.kind);

  describe('writes per turn', () => {
    it('commits a plain inline turn in 2 writes: the input with the lease, the answer with the release', async () => {
      const w = world();
      const ref = ctx.ref('writes-plain');
      const first = await w.turn(ref, 'hi');
      expect(first.result).toMatchObject({ state: 'finished', reply: 'hello' });
      expect(first.writes).toBe(2);
      // A session that exists already costs the same.
      const second = await w.turn(ref, 'hi again');
      expect(second.result).toMatchObject({ state: 'finished', reply: 'hello' });
      expect(second.writes).toBe(2);
      const head = await ctx.store().readHead(ref);
      expect(head).toMatchObject({ status: 'idle', lease: null, seq: 6, lastInputSeq: 4 });
      expect(head!.processedSeq).toBeGreaterThanOrEqual(4);
    });

    it('commits an inline turn with an idempotent tool in 3 writes, the result with the answer', async () => {
      const w = world();
      const ref = ctx.ref('writes-idempotent');
      const { result, writes } = await w.turn(ref, 'look up the weather');
      expect(result).toMatchObject({ state: 'finished', reply: 'found {"runs":1}' });
      expect(writes).toBe(3);
      expect(w.runs()).toBe(1);
      expect(await kinds(ctx.store(), ref)).toEqual([
        'input',
        'model_response',
        'tool_result',
        'model_response',
        'run_finished',
      ]);
      // The tool's state change is committed with its result.
      expect((await ctx.store().readHead(ref))?.toolState).toEqual({ looked: 'look up the weather' });
    });

    it('commits an at-most-once tool turn in 4 writes, its intent with the model response', async () => {
      const w = world({ execution: 'at-most-once' });
      const ref = ctx.ref('writes-at-most-once');
      const { result, writes } = await w.turn(ref, 'look up the weather');
      expect(result).toMatchObject({ state: 'finished', reply: 'found {"runs":1}' });
      expect(writes).toBe(4);
      expect(w.runs()).toBe(1);
      expect(await kinds(ctx.store(), ref)).toEqual([
        'input',
        'model_response',
        'tool_intent',
        'tool_result',
        'model_response',
        'run_finished',
      ]);
    });

    it('waits for approval in 4 writes and resumes through the worker in 3 more', async () => {
      const w = world({ needsApproval: true });
      const ref = ctx.ref('writes-approval');
      const { result, writes } = await w.turn(ref, 'look up the weather');
      expect(result).toMatchObject({ state: 'waiting_approval' });
      expect(writes).toBe(4);
      const waiting = await w.baton.session(ref);
      const callId = waiting.pendingApprovals[0]!.callId;

      w.counted.reset();
      expect(await w.approveAndDeliver(ref, callId)).toEqual({ kind: 'done', outcome: 'finished' });
      expect(w.counted.reset().writes).toBe(3);
      expect(w.runs()).toBe(1);
      expect(await kinds(ctx.store(), ref)).toEqual([
        'input',
        'model_response',
        'interrupt',
        'decision',
        'tool_result',
        'model_response',
        'run_finished',
      ]);
    });

    it('waits for approval of an at-most-once call in 4 writes and runs it through the worker in 5 more', async () => {
      const w = world({ execution: 'at-most-once', needsApproval: true });
      const ref = ctx.ref('writes-approval-at-most-once');
      const { result, writes } = await w.turn(ref, 'look up the weather');
      expect(result).toMatchObject({ state: 'waiting_approval' });
      expect(writes).toBe(4);
      // The response waits: no intent rides with it.
      expect(await kinds(ctx.store(), ref)).toEqual(['input', 'model_response', 'interrupt']);
      const callId = (await w.baton.session(ref)).pendingApprovals[0]!.callId;

      w.counted.reset();
      expect(await w.approveAndDeliver(ref, callId)).toEqual({ kind: 'done', outcome: 'finished' });
      // The decision, the worker's lease, the intent, the result, the answer with the release.
      expect(w.counted.reset().writes).toBe(5);
      expect(w.runs()).toBe(1);
      expect(await kinds(ctx.store(), ref)).toEqual([
        'input',
        'model_response',
        'interrupt',
        'decision',
        'tool_intent',
        'tool_result',
        'model_response',
        'run_finished',
      ]);
    });

    it('adds one write, the lease, when a queue worker takes the turn over: 3, 4 with a tool, 5 with an at-most-once one', async () => {
      for (const [label, text, execution, expected] of [
        ['writes-worker-plain', 'hi', 'idempotent', 3],
        ['writes-worker-tool', 'look up the weather', 'idempotent', 4],
        ['writes-worker-at-most-once', 'look up the weather', 'at-most-once', 5],
      ] as const) {
        const w = world({ execution });
        const ref = ctx.ref(label);
        w.counted.reset();
        await w.baton.submit(ref, { text, source: 'conformance' });
        expect(await w.deliver(ref)).toEqual({ kind: 'done', outcome: 'finished' });
        expect(w.counted.reset().writes, label).toBe(expected);
      }
    });

    it('appends input to a busy session without its lease, and the holder answers it', async () => {
      const w = world();
      const ref = ctx.ref('writes-busy');
      await w.turn(ref, 'hi');
      const held = await acquireLease(ctx.store(), ref, {
        owner: 'other',
        clock: ctx.clock,
        leaseMs: 30_000,
      });
      const { result, writes } = await w.turn(ref, 'hi again');
      // Only the input is written; the inline run finds the session busy.
      expect(writes).toBe(1);
      expect(result.state).toBe('running');
      const head = await ctx.store().readHead(ref);
      expect(head?.lease).toEqual(held.lease);
      expect(head).toMatchObject({ lastInputSeq: head!.seq, status: 'running' });
    });
  });
}
