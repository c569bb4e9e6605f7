import { context, type Span, trace } from '@opentelemetry/api';
import type { Agent } from './agent.js';
import { runPosition } from './context.js';
import { childrenReady } from './delegation/child-session.js';
import { FencedError, LeaseHeldError, SessionNotFoundError, UnknownAgentError } from './errors.js';
import type { SessionEvent } from './events.js';
import { type Head, sameIncarnation } from './head.js';
import { acquireLease } from './lease.js';
import { Run } from './run.js';
import type { LoopDeps, RunOptions, RunOutcome } from './run-context.js';
import { refKey, type SessionRef } from './session-ref.js';
import { SessionWriter } from './session-writer.js';
import { withSourceTools } from './tool-source.js';
import { formatTraceparent, recordError, runParentContext, SpanKind, startSpan } from './tracing.js';

export type { LoopDeps, RunOptions, RunOutcome } from './run-context.js';

/** How often a run reads the head for a cancel while a model call or tools run (AgentTiming). */
export const DEFAULT_CANCEL_CHECK_MS = 1_000;
/**
 * Advances a session as far as the deadline allows: takes the lease, then repeats
 * decide -> act -> commit until the run finishes, waits for approval, or must continue in another
 * invocation (a continuation message is enqueued before the lease is released).
 *
 * @example
 * const outcome = await runSession(deps, { tenant: 'acme', sessionId: 's1' }, { deadline: Date.now() + 10_000, owner: 'worker-1' });
 */
export async function runSession(deps: LoopDeps, ref: SessionRef, options: RunOptions): Promise<RunOutcome> {
  const snapshot = await deps.store.load(ref);
  if (!snapshot) return { kind: 'not_found' };
  if (nothingToDo(snapshot.head, deps.clock.now()) && !(await childDone(deps, snapshot))) {
    return { kind: 'idle', head: snapshot.head };
  }
  return invoke(deps, ref, options, snapshot.head, (traceparent) =>
    takeLease(deps, ref, options, snapshot, traceparent),
  );
}

/**
 * Runs a session whose lease this invocation took together with its input (`appendInput` with
 * `lease`): `held` is the head of that commit and the live context through the input, so the run
 * writes no lease of its own.
 *
 * @example
 * const submit = await appendInputRequest(baton, ref, agent, input, { owner, leaseMs: () => 15_000 });
 * if (submit.held) await runLeased(deps, ref, { deadline, owner }, submit.held);
 */
export function runLeased(
  deps: LoopDeps,
  ref: SessionRef,
  options: RunOptions,
  held: { head: Head; events: SessionEvent[] },
): Promise<RunOutcome> {
  return invoke(deps, ref, options, held.head, async () => held);
}

/** A lease and the live context through it; or how the run ended without one. */
type Taken = { head: Head; events: SessionEvent[] } | RunOutcome;

async function invoke(
  deps: LoopDeps,
  ref: SessionRef,
  options: RunOptions,
  head: Head,
  lease: (traceparent: string) => Promise<Taken>,
): Promise<RunOutcome> {
  const agent = deps.agents.get(head.agent);
  if (!agent) throw new UnknownAgentError(head.agent);
  const span = startSpan(
    `invoke_agent ${agent.name}`,
    runParentContext(head.traceparent),
    SpanKind.INTERNAL,
    {
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.agent.name': agent.name,
      'gen_ai.conversation.id': refKey(ref),
      'baton.lease.owner': options.owner,
    },
  );
  try {
    // The first invocation of a run names the trace every later invocation of the run joins.
    const traceparent = head.traceparent ?? formatTraceparent(span.spanContext());
    const taken = await lease(traceparent);
    const outcome =
      'kind' in taken ? taken : await runHeld(deps, ref, options, agent, { ...taken, traceparent }, span);
    span.setAttribute('baton.outcome', outcome.kind);
    return outcome;
  } catch (error) {
    recordError(span, error);
    throw error;
  } finally {
    span.end();
  }
}

async function takeLease(
  deps: LoopDeps,
  ref: SessionRef,
  options: RunOptions,
  snapshot: { head: Head; events: SessionEvent[] },
  traceparent: string,
): Promise<Taken> {
  const agent = deps.agents.get(snapshot.head.agent)!;
  let held: Head;
  try {
    held = await acquireLease(deps.store, ref, {
      owner: options.owner,
      clock: deps.clock,
      leaseMs: agent.timing.leaseMs,
      head: snapshot.head,
      traceparent,
    });
  } catch (error) {
    if (error instanceof LeaseHeldError) return { kind: 'busy', retryAt: error.expiresAt };
    throw error;
  }
  // The lease commit may have landed on a newer head than the one loaded (or on a session deleted
  // and created again since, of another incarnation): reload, but only up to the head the lease was
  // taken on; anything after it is caught up like input arriving during the run.
  const sameHead = snapshot.head.version === held.version - 1 && sameIncarnation(snapshot.head, held);
  const loaded = sameHead ? snapshot.events : (await deps.store.load(ref))!.events;
  return { head: held, events: loaded.filter((event) => event.seq <= held.seq) };
}

async function runHeld(
  deps: LoopDeps,
  ref: SessionRef,
  options: RunOptions,
  agent: Agent,
  taken: { head: Head; events: SessionEvent[]; traceparent: string },
  span: Span,
): Promise<RunOutcome> {
  const writer = new SessionWriter(deps.store, ref, taken.head, deps.clock, agent.timing.leaseMs, {
    traceparent: taken.traceparent,
    cancelCheckMs: agent.timing.cancelCheckMs ?? DEFAULT_CANCEL_CHECK_MS,
  });
  writer.webhooks = agent.webhooks ?? [];
  // The session's tools from the agent's tool sources: recorded listings, or listed now (a heartbeat keeps the lease).
  const sessionAgent = agent.toolSources
    ? await writer.keepAlive((lost) =>
        withSourceTools(agent, taken.events, { session: ref, signal: lost, logger: deps.logger }),
      )
    : agent;
  const run = new Run(
    deps,
    sessionAgent,
    writer,
    taken.events,
    options,
    trace.setSpan(context.active(), span),
  );
  try {
    const outcome = await run.drive();
    // What the run committed for webhooks is sent now, before the invocation returns.
    await deps.webhooks?.afterCommit(ref, writer.head, run.events, options.deadline);
    return outcome;
  } catch (error) {
    if (error instanceof FencedError) {
      deps.logger.warn('lease taken over; stopping', { session: refKey(ref) });
      return { kind: 'fenced' };
    }
    if (error instanceof SessionNotFoundError) {
      // Deleted while running (a reset): there is nothing left to do.
      deps.logger.info('session deleted during the run', { session: refKey(ref) });
      return { kind: 'not_found' };
    }
    // A retryable failure: hand the lease back so the retry does not wait for it to expire.
    await run.releaseQuietly();
    throw error;
  } finally {
    run.dispose();
  }
}

/** A parent waiting for agent-tool calls (delegation/) has a child that finished: its run collects it. */
async function childDone(deps: LoopDeps, snapshot: { head: Head; events: SessionEvent[] }): Promise<boolean> {
  const agent = deps.agents.get(snapshot.head.agent);
  if (!agent || (snapshot.head.status !== 'waiting_child' && snapshot.head.status !== 'waiting_approval'))
    return false;
  return childrenReady(deps.store, {
    head: snapshot.head,
    pending: runPosition(snapshot.events, agent).pending,
  });
}

/**
 * A duplicate or safety-net message for a session with no pending work: answered without taking
 * the lease, so it costs one read and no writes.
 */
function nothingToDo(head: Head, now: number): boolean {
  const leaseLive = head.lease !== null && head.lease.expiresAt > now;
  return !leaseLive && head.status !== 'running' && head.lastInputSeq <= head.processedSeq;
}
