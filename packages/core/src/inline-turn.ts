import { randomUUID } from 'node:crypto';
import type { Agent } from './agent.js';
import { appendInputRequest, type InputRequest, type SubmitResult } from './input-request.js';
import { breakLease } from './lease.js';
import { runLeased, runSession } from './loop.js';
import type { LoopDeps, RunOutcome } from './run-context.js';
import type { SessionRef } from './session-ref.js';

/** An input recorded by the invocation that runs it, and that run (null for a duplicate input). */
export interface InlineTurn {
  submit: SubmitResult;
  running: Promise<RunOutcome> | null;
}

/**
 * Records the input, taking the lease in the same commit when it is free (the run follows here, so
 * a lease write of its own would only cost a round trip), has the safety net enqueued, and starts
 * the run: with the lease already held, or taking it as a queue delivery would (busy while another
 * invocation holds it; that holder drains this input before it releases).
 *
 * @example
 * const { submit, running } = await startInlineTurn(deps, ref, agent, input, { deadline, enqueue: async () => {} });
 */
export async function startInlineTurn(
  deps: LoopDeps,
  ref: SessionRef,
  agent: Agent,
  input: InputRequest,
  options: { deadline: number; enqueue: (submit: SubmitResult) => Promise<void> },
): Promise<InlineTurn> {
  const owner = `run-${randomUUID()}`;
  const { held, ...submit } = await appendInputRequest(deps, ref, agent, input, {
    owner,
    leaseMs: (head) => deps.agents.get(head.agent)?.timing.leaseMs,
  });
  try {
    await options.enqueue(submit);
  } catch (error) {
    // No run starts here now: hand the lease back so the sweeper's message finds the session free.
    if (held) await breakLease(deps.store, ref, { clock: deps.clock, head: held.head }).catch(() => null);
    throw error;
  }
  if (submit.duplicate) return { submit, running: null };
  const run = { deadline: options.deadline, owner };
  return { submit, running: held ? runLeased(deps, ref, run, held) : runSession(deps, ref, run) };
}
