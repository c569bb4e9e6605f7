import { context, type Span, trace } from '@opentelemetry/api';
import type { Agent } from './agent.js';
import { FencedError, LeaseHeldError, SessionNotFoundError, UnknownAgentError } from './errors.js';
import type { SessionEvent } from './events.js';
import { type Head, sameIncarnation } from './head.js';
import { acquireLease } from './lease.js';
import { Run } from './run.js';
import type { LoopDeps, RunOptions, RunOutcome } from './run-context.js';
import { refKey, type SessionRef } from './session-ref.js';
import { SessionWriter } from './session-writer.js';
import { formatTraceparent, recordError, runParentContext, SpanKind, startSpan } from './tracing.js';

export type { LoopDeps, RunOptions, RunOutcome } from './run-context.js';
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
  if (nothingToDo(snapshot.head, deps.clock.now())) return { kind: 'idle', head: snapshot.head };
  const agent = deps.agents.get(snapshot.head.agent);
  if (!agent) throw new UnknownAgentError(snapshot.head.agent);
  const span = startSpan(
    `invoke_agent ${agent.name}`,
    runParentContext(snapshot.head.traceparent),
    SpanKind.INTERNAL,
    {
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.agent.name': agent.name,
      'gen_ai.conversation.id': refKey(ref),
      'baton.lease.owner': options.owner,
    },
  );
  try {
    const outcome = await runHeld(deps, ref, options, agent, snapshot, span);
    span.setAttribute('baton.outcome', outcome.kind);
    return outcome;
  } catch (error) {
    recordError(span, error);
    throw error;
  } finally {
    span.end();
  }
}

async function runHeld(
  deps: LoopDeps,
  ref: SessionRef,
  options: RunOptions,
  agent: Agent,
  snapshot: { head: Head; events: SessionEvent[] },
  span: Span,
): Promise<RunOutcome> {
  // The first invocation of a run names the trace every later invocation of the run joins.
  const traceparent = snapshot.head.traceparent ?? formatTraceparent(span.spanContext());
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
  const events = loaded.filter((event) => event.seq <= held.seq);
  const writer = new SessionWriter(deps.store, ref, held, deps.clock, agent.timing.leaseMs);
  const run = new Run(deps, agent, writer, events, options, trace.setSpan(context.active(), span));
  try {
    return await run.drive();
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

/**
 * A duplicate or safety-net message for a session with no pending work: answered without taking
 * the lease, so it costs one read and no writes.
 */
function nothingToDo(head: Head, now: number): boolean {
  const leaseLive = head.lease !== null && head.lease.expiresAt > now;
  return !leaseLive && head.status !== 'running' && head.lastInputSeq <= head.processedSeq;
}
