import { BatonError } from './errors.js';
import type { EventBody } from './events.js';
import type { Head } from './head.js';
import type { RunContext, RunOutcome } from './run-context.js';
import { OUTPUT_INVALID } from './structured-output.js';

/**
 * Records a final answer that did not match the run's output schema. With model calls left
 * (`maxSteps`), the answer and an `output_invalid` error are committed and the loop calls the model
 * again, which is shown the error as a correction (context.ts). The call that uses up the last step
 * ends the run instead: failed, with an error that says the answer never matched and why.
 *
 * @example
 * if (!answer.ok) return rejectAnswer(run, responseEvent, answer.message, counted);
 */
export async function rejectAnswer(
  run: RunContext,
  response: EventBody,
  message: string,
  counted: (head: Head) => Head,
): Promise<RunOutcome | null> {
  const { maxSteps } = run.agent.limits;
  const mismatch: EventBody = { kind: 'error', code: OUTPUT_INVALID, message, retryable: false };
  if (run.writer.head.runSteps + 1 < maxSteps) {
    run.logger.info('the answer did not match the output schema; asking again', { message });
    await run.commit([response, mismatch], counted);
    return null;
  }
  const failure = new BatonError(
    OUTPUT_INVALID,
    `the answer did not match the output schema within the run's ${maxSteps} model calls (limits.maxSteps); last mismatch: ${message}`,
    { retryable: false },
  );
  run.logger.warn('the answer never matched the output schema; the run fails', { message });
  const events: EventBody[] = [
    response,
    { kind: 'error', code: OUTPUT_INVALID, message: failure.message, retryable: false },
    { kind: 'run_finished', reason: 'failed', text: '' },
  ];
  const released = await run.release('failed', events, counted);
  if (released) return { kind: 'failed', head: released, error: failure };
  // Input arrived meanwhile: the failed turn is recorded and the next one answers that input.
  await run.commit(events, (head) => ({ ...counted(head), runSteps: 0 }));
  return null;
}
