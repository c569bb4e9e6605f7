import { BatonError } from './errors.js';
import type { RunContext, RunOutcome } from './run-context.js';
import { refKey } from './session-ref.js';

const STALLED_CONTINUATIONS = 2;

/** Records the continuation, hands back the lease, then enqueues the next invocation. */
export async function continueLater(run: RunContext, nextStep: string): Promise<RunOutcome> {
  const stalled = await failIfStalled(run, nextStep);
  if (stalled) return stalled;
  await run.commit([{ kind: 'continuation', reason: 'deadline', nextStep }], (head) => ({
    ...head,
    status: 'running',
    lease: null,
  }));
  const head = run.writer.head;
  await run.deps.queue.enqueue({
    v: 1,
    tenant: head.tenant,
    sessionId: head.sessionId,
    reason: 'continue',
    dedupeKey: `continue:${refKey(run.writer.ref)}:${head.seq}`,
    ...(head.traceparent ? { traceparent: head.traceparent } : {}),
  });
  run.logger.info('continuing in another invocation', { nextStep, seq: head.seq });
  return { kind: 'continued', head, nextStep };
}

/**
 * Three invocations in a row that could not take a single step (each too short for what the next
 * step reserves) will never finish: fail with a clear reason instead of continuing forever.
 */
async function failIfStalled(run: RunContext, nextStep: string): Promise<RunOutcome | null> {
  if (run.progressed) return null;
  const trailing = run.events.slice(-STALLED_CONTINUATIONS);
  const stalled =
    trailing.length === STALLED_CONTINUATIONS && trailing.every((event) => event.kind === 'continuation');
  if (!stalled) return null;
  const error = new BatonError(
    'budget_too_small',
    `${STALLED_CONTINUATIONS + 1} invocations in a row had less time than the next step (${nextStep}) reserves: raise the function timeout, or lower the agent's timing.modelCallMs or the tool's timeoutMs`,
    { retryable: false },
  );
  const released = await run.release('failed', [
    { kind: 'error', code: error.code, message: error.message, retryable: false },
    { kind: 'run_finished', reason: 'failed', text: '' },
  ]);
  return released ? { kind: 'failed', head: released, error } : null;
}
