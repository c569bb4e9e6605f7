import { type Baton, isRetryable, type RunOutcome, type SessionRef } from '@baton/core';
import { START_TEXT } from './reliability-script.js';

export interface DriveOptions {
  /** The message that starts the run (default: the reliability script's), deduplicated on its key. */
  input?: { text: string; dedupeKey: string; agent?: string };
  /** Retry retryable errors the way a queue redelivers a message (default: let them throw). */
  retries?: number;
  /** Invocation budget per run. */
  budgetMs?: number;
  /** Called for every retried error, to count them. */
  onRetry?: (error: unknown) => void;
  /**
   * The session's lease is held (by an invocation whose answer was lost, say) until `retryAt`: a
   * queue would deliver the message again then. Default: fail, since nothing should hold it.
   */
  onBusy?: (retryAt: number) => void | Promise<void>;
}

export interface DriveResult {
  runs: number;
  outcomes: RunOutcome['kind'][];
  retries: number;
}

/**
 * Plays the user, the approver and the queue for one session until its run is over: submits the
 * start message (deduplicated, so doing it again after a crash changes nothing), runs the session,
 * approves every pending call, and runs again. Every action is idempotent, so the driver can be
 * started afresh at any point of a crashed run and finishes it.
 */
export async function driveToEnd(
  baton: Baton,
  ref: SessionRef,
  options: DriveOptions = {},
): Promise<DriveResult> {
  const result: DriveResult = { runs: 0, outcomes: [], retries: 0 };
  const budgetMs = options.budgetMs ?? 300_000;
  for (let attempt = 0; attempt < 500; attempt++) {
    try {
      const input = options.input ?? { text: START_TEXT, dedupeKey: 'start' };
      await baton.submit(ref, { ...input, source: 'reliability' });
      const outcome = await baton.run(ref, { deadline: baton.clock.now() + budgetMs });
      result.runs++;
      result.outcomes.push(outcome.kind);
      if (outcome.kind === 'finished' || outcome.kind === 'failed') return result;
      if (outcome.kind === 'busy') {
        if (!options.onBusy) throw new Error(`session ${ref.sessionId} is busy until ${outcome.retryAt}`);
        await options.onBusy(outcome.retryAt);
        continue;
      }
      if (outcome.kind === 'not_found') throw new Error(`session ${ref.sessionId} vanished`);
      // 'idle': no work by the head's account (a queue acknowledges the message), unless a person
      // still has approvals to give, as they would after reading the session.
      const waiting =
        outcome.kind === 'waiting_approval'
          ? outcome.callIds
          : outcome.kind === 'idle'
            ? (await baton.session(ref)).pendingApprovals.map((pending) => pending.callId)
            : [];
      if (outcome.kind === 'idle' && waiting.length === 0) return result;
      for (const callId of waiting) {
        await baton.decide(ref, {
          callId,
          approved: true,
          identity: { tenant: ref.tenant, user: 'reliability-approver', scopes: ['approve'], via: 'api_key' },
        });
      }
    } catch (error) {
      if (!options.retries || result.retries >= options.retries || !isRetryable(error)) throw error;
      result.retries++;
      options.onRetry?.(error);
    }
  }
  throw new Error(`session ${ref.sessionId} did not finish in 500 rounds`);
}
