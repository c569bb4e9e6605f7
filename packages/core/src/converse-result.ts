import type { SubmitResult } from './input-request.js';
import type { SessionRef } from './session-ref.js';
import type { SessionView } from './session-view.js';
import type { SessionStore } from './store.js';

export interface ConverseResult {
  submit: SubmitResult;
  /** finished: `reply` answers the input; otherwise the run goes on (or waits) and the client polls. */
  state: 'finished' | 'waiting_approval' | 'running' | 'failed';
  reply: string | null;
  session: SessionView;
}

/** The answer to one input: its reply once the run that answered it finished. */
export async function answerOf(
  store: SessionStore,
  ref: SessionRef,
  submit: SubmitResult,
  session: SessionView,
): Promise<ConverseResult> {
  const after = await store.readEvents(ref, { afterSeq: submit.inputSeq });
  const finished = after.find((event) => event.kind === 'run_finished');
  if (finished && finished.kind === 'run_finished') {
    const failed = finished.reason === 'failed';
    return { submit, state: failed ? 'failed' : 'finished', reply: finished.text || null, session };
  }
  const state =
    session.status === 'waiting_approval'
      ? 'waiting_approval'
      : session.status === 'failed'
        ? 'failed'
        : 'running';
  return { submit, state, reply: null, session };
}
