import { callTools, ManualClock, reply, ScriptedModel } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { ArrayQueue, Counter, testTools } from '../test/kit.js';
import { defineAgent } from './agent.js';
import type { Identity } from './auth/identity.js';
import { createBaton } from './baton.js';
import { isRetryable } from './errors.js';
import { newHead } from './head.js';
import { handleHttp } from './http-routes.js';
import { silentLogger } from './logger.js';
import { MemoryStore } from './memory-store.js';
import { parseEvent, parseHead } from './migrate.js';
import { refKey, sessionRef } from './session-ref.js';
import type { CommitRequest } from './store.js';

/** Decides as an API key of the test tenant that holds approve (the default approver policy). */
const approver: Identity = { tenant: 'acme', user: 'key:approver', scopes: ['approve'], via: 'api_key' };

/**
 * Regressions found by the reliability suite (issue 7, test/reliability). Each case replays, in one
 * process, what a SIGKILLed child process did there: a commit lands and the process is gone.
 */

const LEASE_MS = 30_000;

/** A store whose chosen commit lands and then never answers: the process running it died. */
class DyingStore extends MemoryStore {
  dieAfter: ((request: CommitRequest) => boolean) | null = null;
  died: Promise<void>;
  private markDead!: () => void;

  constructor() {
    super();
    this.died = new Promise((resolve) => {
      this.markDead = resolve;
    });
  }

  override async commit(request: CommitRequest): Promise<void> {
    await super.commit(request);
    if (this.dieAfter?.(request)) {
      this.dieAfter = null;
      this.markDead();
      await new Promise<never>(() => {});
    }
  }
}

function setup() {
  const clock = new ManualClock();
  const store = new DyingStore();
  const queue = new ArrayQueue();
  const counter = new Counter();
  const model = new ScriptedModel([
    callTools([{ name: 'send_email', args: { to: 'bob' }, callId: 'e1' }]),
    reply('Sent.'),
  ]);
  const agent = defineAgent({
    name: 'tester',
    instructions: 'test agent',
    model,
    tools: testTools(counter),
    limits: { maxSteps: 10, compactAfterEvents: 0 },
    timing: { modelCallMs: 10_000, leaseMs: LEASE_MS },
  });
  const baton = createBaton({ store, agents: [agent], queue, clock, logger: silentLogger });
  const ref = sessionRef('acme', 'approved-then-killed');
  return { clock, store, counter, baton, ref, later: () => clock.now() + 600_000 };
}

/** Runs until the approved call is about to run, then lets the process "die" after the chosen commit. */
async function killAfterApproval(t: ReturnType<typeof setup>, dieAfter: (request: CommitRequest) => boolean) {
  await t.baton.submit(t.ref, { text: 'email bob', source: 'test' });
  expect(await t.baton.run(t.ref, { deadline: t.later() })).toMatchObject({ kind: 'waiting_approval' });
  await t.baton.decide(t.ref, { callId: 'e1', approved: true, identity: approver });
  t.store.dieAfter = dieAfter;
  void t.baton.run(t.ref, { deadline: t.later() });
  await t.store.died;
  // The dead invocation's lease runs out; the queue delivers the decision's run message again.
  t.clock.advance(LEASE_MS + 1);
}

describe('reliability regressions (issue 7)', () => {
  it('RELIABILITY-1 finishes an approved at-most-once call when the process died after its intent', async () => {
    const t = setup();
    await killAfterApproval(t, (request) => request.events.some((event) => event.kind === 'tool_intent'));

    const outcome = await t.baton.run(t.ref, { deadline: t.later() });

    expect(outcome.kind).toBe('finished');
    const events = await t.store.readEvents(t.ref);
    expect(events.find((event) => event.kind === 'tool_result')).toMatchObject({
      callId: 'e1',
      outcome: 'unknown',
    });
    expect(await t.store.readHead(t.ref)).toMatchObject({ status: 'idle', lease: null });
    // The process died between the intent and the call: the tool never ran, and it is not re-run.
    expect(t.counter.of('send_email')).toBe(0);
  });

  it('RELIABILITY-1 answers the result of an approved call when the process died after committing it', async () => {
    const t = setup();
    await killAfterApproval(t, (request) => request.events.some((event) => event.kind === 'tool_result'));

    const outcome = await t.baton.run(t.ref, { deadline: t.later() });

    expect(outcome).toMatchObject({ kind: 'finished', text: 'Sent.' });
    expect(await t.store.readHead(t.ref)).toMatchObject({ status: 'idle', lease: null });
    expect(t.counter.of('send_email')).toBe(1);
  });

  it('RELIABILITY-1 re-enqueues from sweep a waiting session whose approved run died', async () => {
    const t = setup();
    await killAfterApproval(t, (request) => request.events.some((event) => event.kind === 'tool_intent'));
    t.clock.advance(120_000);

    expect(await t.baton.sweep({ idleForMs: 60_000 })).toBe(1);
  });
});

describe('reliability regressions (issue 7): records tampered with in the store', () => {
  const at = Date.UTC(2026, 0, 1);
  const head = { ...newHead('acme', 'tampered', 'tester', at), version: 2, seq: 1, lastInputSeq: 1 };

  it('RELIABILITY-2 raises a corrupt_record error a retry cannot fix when a head has the wrong shape', () => {
    expect(thrown(() => parseHead({ ...head, version: 'seven' }))).toMatchObject({
      code: 'corrupt_record',
      retryable: false,
    });
  });

  it('RELIABILITY-2 raises a corrupt_record error a retry cannot fix when an event has an unknown kind', () => {
    expect(thrown(() => parseEvent({ v: 2, seq: 1, at, kind: 'teleport' }))).toMatchObject({
      code: 'corrupt_record',
      retryable: false,
    });
  });

  it('RELIABILITY-2 raises corrupt_record, not schema_version, when a head is not a record at all', () => {
    expect(thrown(() => parseHead('not a head at all'))).toMatchObject({
      code: 'corrupt_record',
      retryable: false,
    });
    // A record of a future schema keeps its own, specific error.
    expect(thrown(() => parseHead({ ...head, v: 99 }))).toMatchObject({ code: 'schema_version' });
  });

  it('RELIABILITY-2 answers a session with a tampered head with corrupt_record and dead-letters its run messages', async () => {
    const t = setup();
    (
      t.store as unknown as {
        sessions: Map<string, { head: string; events: string[]; dedupe: Map<string, string> }>;
      }
    ).sessions.set(refKey(t.ref), {
      head: JSON.stringify({ ...head, sessionId: t.ref.sessionId, version: 'seven' }),
      events: [],
      dedupe: new Map(),
    });

    const response = await handleHttp(
      t.baton,
      {
        method: 'GET',
        path: `/sessions/${t.ref.sessionId}`,
        query: new URLSearchParams(),
        headers: { 'x-baton-tenant': 'acme' },
        body: undefined,
      },
      { deadline: t.later() },
    );
    expect(response.body).toMatchObject({ error: { code: 'corrupt_record' } });
    const handled = await t.baton
      .handle(
        { v: 1, tenant: 'acme', sessionId: t.ref.sessionId, reason: 'input', dedupeKey: 'm1' },
        { deadline: t.later() },
      )
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(isRetryable(handled)).toBe(false);
  });
});

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return new Error('expected a throw');
}

/** A store that lets other writers append input at the two moments around a contended lease. */
class RacingStore extends MemoryStore {
  onLease: ((phase: 'before' | 'after', attempt: number) => Promise<void>) | null = null;
  private leaseAttempts = 0;

  override async commit(request: CommitRequest): Promise<void> {
    const lease = request.events.length === 0 && request.head.lease?.owner === 'runner';
    const take = lease && request.head.leaseEpoch !== (await this.readHead(request.ref))?.leaseEpoch;
    const attempt = take ? ++this.leaseAttempts : 0;
    if (take) await this.onLease?.('before', attempt);
    await super.commit(request);
    if (take) await this.onLease?.('after', attempt);
  }
}

describe('reliability regressions (issue 7): contended leases', () => {
  it('RELIABILITY-3 answers an input once when it is appended right after a contended lease', async () => {
    const clock = new ManualClock();
    const store = new RacingStore();
    const seen: string[][] = [];
    const model = new ScriptedModel((request) => {
      const last = request.messages.findLastIndex((message) => message.role === 'assistant');
      const fresh = request.messages.slice(last + 1).flatMap((m) => (m.role === 'user' ? [m.content] : []));
      seen.push(fresh);
      return reply(`ack ${fresh.join(', ')}`);
    });
    const agent = defineAgent({
      name: 'tester',
      instructions: 'ack',
      model,
      limits: { compactAfterEvents: 0 },
    });
    const baton = createBaton({
      store,
      agents: [agent],
      queue: new ArrayQueue(),
      clock,
      logger: silentLogger,
    });
    const ref = sessionRef('acme', 'contended');
    await baton.submit(ref, { text: 'first', source: 'test' });
    // Another process appends while this run takes the lease (its first try conflicts), and again
    // right after the lease landed, before the run reloads the session.
    store.onLease = async (phase, attempt) => {
      if (attempt !== 1 && phase === 'before') return;
      if (phase === 'before') await baton.submit(ref, { text: 'during the lease', source: 'test' });
      else if (attempt === 2) await baton.submit(ref, { text: 'after the lease', source: 'test' });
    };

    const outcome = await baton.run(ref, { deadline: clock.now() + 600_000, owner: 'runner' });

    expect(outcome.kind).toBe('finished');
    // Each input is answered once: no model call sees an input a previous answer already covered.
    expect(seen.flat()).toEqual(['first', 'during the lease', 'after the lease']);
  });
});
