import {
  apiKeys,
  type Baton,
  type BatonDefinition,
  defineAgent,
  defineBaton,
  type Model,
  ModelError,
  type ModelRequest,
  type ModelResponse,
  newHead,
  SCHEMA_VERSION,
  type SessionEvent,
  type SessionRef,
} from '@baton/core';
import { expect } from 'vitest';

/** What the next model call does, set by each case. */
export type ModelBehaviour = 'answer' | 'retryable_error' | 'fatal_error';

/**
 * A model whose behaviour a case sets: the delivery table drives every host with the same agent.
 */
export class SwitchableModel implements Model {
  readonly provider = 'switchable';
  readonly modelId = 'switchable-1';
  behaviour: ModelBehaviour = 'answer';
  calls = 0;

  async generate(request: ModelRequest): Promise<ModelResponse> {
    this.calls++;
    if (this.behaviour === 'retryable_error') {
      throw new ModelError('the provider is overloaded (injected)', { retryable: true, status: 503 });
    }
    if (this.behaviour === 'fatal_error') {
      throw new ModelError('the provider refused the request (injected)', { retryable: false, status: 400 });
    }
    const last = request.messages.at(-1);
    return {
      text: `answered: ${last?.content ?? ''}`,
      toolCalls: [],
      usage: { inputTokens: 10, outputTokens: 5 },
      stopReason: 'end',
      model: this.modelId,
    };
  }
}

/** The app every host runs the delivery table against: one agent on a switchable model. */
export function deliveryTableApp(model: SwitchableModel): BatonDefinition {
  return defineBaton({
    agents: [defineAgent({ name: 'assistant', instructions: 'Answer.', model, timing: { leaseMs: 30_000 } })],
    // Deployed hosts start only with auth; queue deliveries never authenticate a caller.
    auth: apiKeys(),
  });
}

/** What a host did with a delivered message, in the host-neutral terms of `Disposition`. */
export type ObservedDisposition =
  | { action: 'done' }
  | { action: 'retry'; consumesAttempt: boolean; delayMs: number }
  | { action: 'dead_letter'; code: string };

export interface DeliveryWorld {
  /** The engine of the app the host built. */
  baton: Baton;
  model: SwitchableModel;
  /** The host's delivery limit (SQS maxReceiveCount, host.json maxDequeueCount, the local worker's). */
  maxAttempts: number;
}

export interface DeliveryCase {
  name: string;
  /** Sets up the session and the model; returns the message body and which delivery this is. */
  arrange(world: DeliveryWorld, ref: SessionRef): Promise<{ body: unknown; attempt: number }>;
  expected:
    | { action: 'done' }
    | { action: 'retry'; consumesAttempt: boolean; minDelayMs: number; maxDelayMs: number }
    | { action: 'dead_letter'; code: string };
  /** What the session shows afterwards: its status and whether a failure was recorded. */
  session: { status: 'idle' | 'running' | 'failed' | 'absent'; failureRecorded: boolean };
}

function runMessage(ref: SessionRef, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    v: 1,
    tenant: ref.tenant,
    sessionId: ref.sessionId,
    reason: 'input',
    dedupeKey: `input:${ref.tenant}/${ref.sessionId}:1`,
    ...extra,
  });
}

/** An input recorded without running it: the state a queue message finds. */
async function pendingInput(world: DeliveryWorld, ref: SessionRef): Promise<void> {
  await world.baton.submit(ref, { text: 'hello', source: 'test' });
}

/**
 * One decision table for every host's queue: each host's test delivers these messages through its
 * real trigger (SQS worker, Storage Queue function, local worker) and checks what it did.
 */
export const DELIVERY_CASES: readonly DeliveryCase[] = [
  {
    name: 'runs the session and completes the message',
    async arrange(world, ref) {
      world.model.behaviour = 'answer';
      await pendingInput(world, ref);
      return { body: runMessage(ref), attempt: 1 };
    },
    expected: { action: 'done' },
    session: { status: 'idle', failureRecorded: false },
  },
  {
    name: 'completes a duplicate of a message whose work is done, without running the model',
    async arrange(world, ref) {
      world.model.behaviour = 'answer';
      await pendingInput(world, ref);
      await world.baton.run(ref, { deadline: world.baton.clock.now() + 60_000 });
      world.model.behaviour = 'fatal_error';
      return { body: runMessage(ref), attempt: 2 };
    },
    expected: { action: 'done' },
    session: { status: 'idle', failureRecorded: false },
  },
  {
    name: 'dead-letters a body that is not JSON',
    async arrange() {
      return { body: '{"v":1, this is not json', attempt: 1 };
    },
    expected: { action: 'dead_letter', code: 'malformed_message' },
    session: { status: 'absent', failureRecorded: false },
  },
  {
    name: 'dead-letters JSON that is not a run message',
    async arrange(_world, ref) {
      return { body: JSON.stringify({ v: 2, tenant: ref.tenant }), attempt: 1 };
    },
    expected: { action: 'dead_letter', code: 'malformed_message' },
    session: { status: 'absent', failureRecorded: false },
  },
  {
    name: 'brings the message back after the lease without using an attempt when the session is busy',
    async arrange(world, ref) {
      world.model.behaviour = 'answer';
      await pendingInput(world, ref);
      const head = (await world.baton.store.readHead(ref))!;
      const now = world.baton.clock.now();
      await world.baton.store.commit({
        ref,
        expectedVersion: head.version,
        head: {
          ...head,
          version: head.version + 1,
          lease: { owner: 'another-invocation', expiresAt: now + 20_000, epoch: head.leaseEpoch + 1 },
          leaseEpoch: head.leaseEpoch + 1,
          updatedAt: now,
        },
        events: [],
      });
      return { body: runMessage(ref), attempt: 1 };
    },
    expected: { action: 'retry', consumesAttempt: false, minDelayMs: 15_000, maxDelayMs: 25_000 },
    session: { status: 'running', failureRecorded: false },
  },
  {
    name: 'backs off and uses an attempt when a retry can help',
    async arrange(world, ref) {
      world.model.behaviour = 'retryable_error';
      await pendingInput(world, ref);
      return { body: runMessage(ref), attempt: 1 };
    },
    expected: { action: 'retry', consumesAttempt: true, minDelayMs: 0, maxDelayMs: 2_000 },
    session: { status: 'running', failureRecorded: false },
  },
  {
    name: 'records the failure on the session and dead-letters on the last attempt',
    async arrange(world, ref) {
      world.model.behaviour = 'retryable_error';
      await pendingInput(world, ref);
      return { body: runMessage(ref), attempt: world.maxAttempts };
    },
    expected: { action: 'dead_letter', code: 'model_error' },
    session: { status: 'failed', failureRecorded: true },
  },
  {
    name: 'records and dead-letters at once when no retry can fix the error',
    async arrange(world, ref) {
      // A session of an agent this app does not serve (removed in a later deploy).
      const now = world.baton.clock.now();
      const head = newHead(ref.tenant, ref.sessionId, 'retired-agent', now);
      const input = { kind: 'input', text: 'hello', source: 'test', v: SCHEMA_VERSION, seq: 1, at: now };
      await world.baton.store.commit({
        ref,
        expectedVersion: null,
        head: { ...head, version: 1, seq: 1, lastInputSeq: 1, status: 'running' },
        events: [input as SessionEvent],
      });
      return { body: runMessage(ref), attempt: 1 };
    },
    expected: { action: 'dead_letter', code: 'unknown_agent' },
    session: { status: 'failed', failureRecorded: true },
  },
  {
    name: 'completes after a model error no retry can fix, with the run failed on the session',
    async arrange(world, ref) {
      world.model.behaviour = 'fatal_error';
      await pendingInput(world, ref);
      return { body: runMessage(ref), attempt: 1 };
    },
    expected: { action: 'done' },
    session: { status: 'failed', failureRecorded: true },
  },
  {
    name: 'records a message the queue already gave up on without running it',
    async arrange(world, ref) {
      world.model.behaviour = 'answer';
      await pendingInput(world, ref);
      return { body: runMessage(ref), attempt: world.maxAttempts + 1 };
    },
    expected: { action: 'dead_letter', code: 'poison_message' },
    session: { status: 'failed', failureRecorded: true },
  },
  {
    name: 'holds back a message that is not due yet without using an attempt',
    async arrange(world, ref) {
      world.model.behaviour = 'answer';
      await pendingInput(world, ref);
      return { body: runMessage(ref, { notBefore: world.baton.clock.now() + 10_000 }), attempt: 1 };
    },
    expected: { action: 'retry', consumesAttempt: false, minDelayMs: 5_000, maxDelayMs: 11_000 },
    session: { status: 'running', failureRecorded: false },
  },
];

/** The session side of a case's expectation, read through the engine. */
export async function observedSession(
  baton: Baton,
  ref: SessionRef,
): Promise<{
  status: 'idle' | 'running' | 'failed' | 'absent' | 'waiting_approval' | 'waiting_child';
  failureRecorded: boolean;
}> {
  const head = await baton.store.readHead(ref);
  if (!head) return { status: 'absent', failureRecorded: false };
  const events = await baton.store.readEvents(ref);
  return { status: head.status, failureRecorded: events.some((event) => event.kind === 'error') };
}

/** Compares what a host did with what a case expects (delays within the case's range). */
export function expectDisposition(
  observed: ObservedDisposition,
  expected: (typeof DELIVERY_CASES)[number]['expected'],
): void {
  if (expected.action === 'retry' && observed.action === 'retry') {
    expect(observed.consumesAttempt).toBe(expected.consumesAttempt);
    expect(observed.delayMs).toBeGreaterThanOrEqual(expected.minDelayMs);
    expect(observed.delayMs).toBeLessThanOrEqual(expected.maxDelayMs);
    return;
  }
  expect(observed).toEqual(expected);
}
