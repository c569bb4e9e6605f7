import type { EventOf } from './events.js';
import type { SubmitResult } from './input-request.js';
import type { Json } from './json.js';
import type { SessionRef } from './session-ref.js';
import type { SessionView } from './session-view.js';
import type { SessionStore } from './store.js';

export interface ConverseResult {
  submit: SubmitResult;
  /** finished: `reply` answers the input; otherwise the run goes on (or waits) and the client polls. */
  state: 'finished' | 'waiting_approval' | 'running' | 'failed' | 'cancelled';
  reply: string | null;
  /** finished with an output schema: the reply parsed and validated (structured-output.ts). */
  output?: Json;
  session: SessionView;
}

/**
 * The answer to one input: its reply once the turn that answered it finished. A turn answers the
 * inputs its last model response's context reached: an input committed while an earlier turn's
 * model call was in flight (or held back by 'one_at_a_time') lands before that turn's
 * `run_finished` (completed, or at the step limit) but is answered by a later one. A failed run
 * ends every turn waiting.
 */
export async function answerOf(
  store: SessionStore,
  ref: SessionRef,
  submit: SubmitResult,
  session: SessionView,
): Promise<ConverseResult> {
  const after = await store.readEvents(ref, { afterSeq: submit.inputSeq });
  let response: EventOf<'model_response'> | undefined;
  let cancelled = false;
  for (const event of after) {
    if (event.kind === 'model_response') response = event;
    // A cancel after the input ends its turn: the run_finished (cancelled) that follows answers it.
    if (event.kind === 'cancel') cancelled = true;
    if (event.kind !== 'run_finished') continue;
    if (event.reason === 'cancelled' && cancelled)
      return { submit, state: 'cancelled', reply: null, session };
    const reached = response !== undefined && (response.contextThrough ?? response.seq) >= submit.inputSeq;
    if (event.reason === 'failed' || reached) {
      const failed = event.reason === 'failed';
      const reply = event.text || null;
      const output = event.output !== undefined ? { output: event.output } : {};
      return { submit, state: failed ? 'failed' : 'finished', reply, ...output, session };
    }
  }
  const state =
    session.status === 'waiting_approval'
      ? 'waiting_approval'
      : session.status === 'failed'
        ? 'failed'
        : 'running';
  return { submit, state, reply: null, session };
}
