import type { Baton, HandleResult } from '../baton.js';
import { isBatonError, isRetryable } from '../errors.js';
import type { RunMessage } from '../queue.js';
import { redactSecrets } from '../redact.js';
import { recordRetry } from '../retry-record.js';
import { refKey, type SessionRef, sessionRef } from '../session-ref.js';
import type { Channel } from './channel.js';
import { parseRunMessage } from './run-message.js';

/**
 * What the host must do with a queue message after `deliver`:
 * - done: delete (complete) it.
 * - retry: make it visible again after `delayMs`. `consumesAttempt: false` (a busy session, a
 *   message not due yet) must not count toward the host's delivery limit: re-send a copy with the
 *   delay and delete the original where the queue counts receives.
 * - dead_letter: move it aside with the reason; the failure is already recorded on the session.
 */
export type Disposition =
  | { action: 'done'; outcome: HandleOutcome }
  | { action: 'retry'; delayMs: number; consumesAttempt: boolean; reason: string }
  | { action: 'dead_letter'; code: string; message: string };

type HandleOutcome = Extract<HandleResult, { kind: 'done' }>['outcome'];

export interface DeliveryOptions {
  /** Epoch ms by which the run must have committed and returned. */
  deadline: number;
  /** This delivery's number, from 1 (SQS ApproximateReceiveCount, Azure dequeueCount). */
  attempt: number;
  /**
   * Deliveries the host makes before it gives up. On the last one a failure a retry could fix is
   * recorded on the session; an attempt past it means the host already gave up (a poison queue).
   */
  maxAttempts: number;
  /** Lease owner: unique per invocation and message. Default: a random id. */
  owner?: string;
}

export interface Delivery {
  baton: Baton;
  channels: readonly Channel[];
  /** Backoff jitter source, for tests. */
  random?: () => number;
}

/** Backoff of a retryable failure: 1 s, 2 s, 4 s ... capped at a minute, with full jitter above half. */
export function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(60_000, 1_000 * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

/**
 * Runs one queue message and decides what the host does with it. The decision table lives here
 * once for every host: malformed messages are dead-lettered, busy sessions come back when the lease
 * ends without using up an attempt, retryable failures back off, and a failure no retry can fix
 * (or the last attempt's) is recorded on the session and shown in its channel before the message is
 * dead-lettered.
 */
export async function deliver(
  delivery: Delivery,
  entry: unknown,
  options: DeliveryOptions,
): Promise<Disposition> {
  const { baton } = delivery;
  const parsed = parseRunMessage(entry);
  if (!parsed.ok) {
    baton.logger.error('dead-lettering a malformed run message', { reason: parsed.reason });
    return { action: 'dead_letter', code: 'malformed_message', message: parsed.reason };
  }
  const message = parsed.message;
  const ref = sessionRef(message.tenant, message.sessionId);
  const now = baton.clock.now();
  if (message.notBefore !== undefined && message.notBefore > now) {
    return { action: 'retry', delayMs: message.notBefore - now, consumesAttempt: false, reason: 'not_due' };
  }
  if (options.attempt > options.maxAttempts) {
    return giveUp(delivery, ref, message, options, {
      code: 'poison_message',
      message: `the run message (${message.reason}) failed ${options.maxAttempts} deliveries and the queue gave up on it; its last invocation crashed or timed out before it could record an error`,
    });
  }
  const channel = delivery.channels.find((candidate) => candidate.owns(ref));
  try {
    const handle = (deadline: number) =>
      baton.handle(message, { deadline, ...(options.owner ? { owner: options.owner } : {}) });
    const result = channel?.run
      ? await channel.run(ref, handle, { deadline: options.deadline })
      : await handle(options.deadline);
    if (result.kind === 'retry_later') {
      baton.logger.info('session busy; the message comes back later', { delayMs: result.delayMs });
      return { action: 'retry', delayMs: result.delayMs, consumesAttempt: false, reason: 'session_busy' };
    }
    return { action: 'done', outcome: result.outcome };
  } catch (error) {
    const retryable = isRetryable(error);
    if (retryable && options.attempt < options.maxAttempts) {
      const delayMs = retryDelayMs(options.attempt, delivery.random);
      baton.logger.warn('run failed; the message comes back after a backoff', {
        error,
        attempt: options.attempt,
        delayMs,
      });
      await noteRetry(delivery, ref, options.attempt, error, delayMs);
      return { action: 'retry', delayMs, consumesAttempt: true, reason: codeOf(error) };
    }
    const why = retryable
      ? `the run failed on all ${options.attempt} deliveries of its message; last error: ${describe(error)}`
      : `the run stopped on an error a retry cannot fix: ${describe(error)}`;
    return giveUp(delivery, ref, message, options, { code: codeOf(error), message: why });
  }
}

/** Records why the work stopped on the session, shows it in the session's channel, and dead-letters. */
async function giveUp(
  delivery: Delivery,
  ref: SessionRef,
  message: RunMessage,
  options: DeliveryOptions,
  failure: { code: string; message: string },
): Promise<Disposition> {
  const { baton } = delivery;
  try {
    const recorded = await baton.recordFailure(ref, { ...failure, dedupeKey: failureKey(message) });
    baton.logger.error('run message dead-lettered', { session: refKey(ref), ...failure, recorded });
    // The failure's commit recorded the session's run.failed webhooks: send them now.
    if (recorded === 'recorded') await baton.webhooks.flush(ref, options.deadline);
    // A child session's failure is its parent call's result: tell the parent (delegation/).
    if (recorded !== 'no_session') await baton.notifyParent(await baton.store.readHead(ref));
  } catch (error) {
    // Recording failed too (the store is down?): deliver again, and record then.
    baton.logger.warn('could not record the failure on the session yet', { error });
    return {
      action: 'retry',
      delayMs: retryDelayMs(options.attempt, delivery.random),
      consumesAttempt: true,
      reason: codeOf(error),
    };
  }
  const channel = delivery.channels.find((candidate) => candidate.owns(ref));
  try {
    await channel?.failed?.(ref, { deadline: options.deadline });
  } catch (error) {
    baton.logger.warn(`could not show the failure in ${channel?.name}`, { error });
  }
  return { action: 'dead_letter', ...failure };
}

/**
 * Records the coming retry on the session (why the run is slow), here where the delay is decided.
 * Best effort: the retry happens whether or not the record could be written.
 */
async function noteRetry(
  delivery: Delivery,
  ref: SessionRef,
  attempt: number,
  error: unknown,
  delayMs: number,
): Promise<void> {
  const { baton } = delivery;
  try {
    await recordRetry(baton, ref, {
      attempt,
      code: codeOf(error),
      // Redacted by recordRetry: provider error text may echo the request's credentials.
      message: error instanceof Error ? error.message : String(error),
      retryAt: baton.clock.now() + delayMs,
    });
  } catch (recordError) {
    baton.logger.warn('could not record the retry on the session', { error: recordError });
  }
}

/** One key per message, whichever host or attempt records the failure, so it is recorded once. */
export function failureKey(message: RunMessage): string {
  return `failure:${message.dedupeKey}`;
}

function codeOf(error: unknown): string {
  return isBatonError(error) ? error.code : 'internal';
}

/** What a dead-lettered message says about its last error: recorded, logged and handed to the queue. */
function describe(error: unknown): string {
  if (isBatonError(error)) return redactSecrets(`${error.code}: ${error.message}`);
  return redactSecrets(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
}
