import type { InvocationContext } from '@azure/functions';
import {
  type Baton,
  type HandleResult,
  isBatonError,
  isRetryable,
  type RunMessage,
  type RunQueue,
  sessionRef,
} from '@baton/core';
import { handleSlackRun, type SlackChannel } from '@baton/slack';
import { invocationOwner, queueDelivery } from './queue-delivery.js';
import { parseRunMessage } from './run-message.js';
import { showFailureInSlack } from './slack-route.js';
import { invocationDeadline } from './time-budget.js';

/** A storage queue trigger handler: `(queueEntry, context)`; resolving completes the message. */
export type AzureQueueHandler = (queueEntry: unknown, context: InvocationContext) => Promise<void>;

export interface RunQueueHandlerOptions {
  /** The queue this trigger listens on: busy sessions are re-enqueued there with a delay. */
  queue: RunQueue;
  /** host.json functionTimeout in ms (see hostSettings). */
  timeoutMs: number;
  marginMs?: number;
  /** host.json `extensions.queues.maxDequeueCount`: which delivery is the last before the poison queue. */
  maxDequeueCount: number;
  /** Runs Slack sessions through the channel (placeholder, answer, approval buttons); others as usual. */
  slack?: SlackChannel;
}

/**
 * The storage queue trigger for runs and continuations (through `handleSlackRun` when Slack is
 * configured). Resolving completes (deletes) the message; throwing leaves it for the host to
 * deliver again after host.json `queues.visibilityTimeout`.
 *
 * - done: completes.
 * - retry_later (the session's lease is held elsewhere, or this writer was fenced): sends a copy
 *   that becomes visible after the lease would expire, then completes. Throwing instead would
 *   come back after the fixed host.json visibilityTimeout, not when the lease ends, and each
 *   busy round would count toward maxDequeueCount, poisoning a message for being patient.
 * - retryable error: throws; the host redelivers up to maxDequeueCount times, then moves the
 *   message to `<queue>-poison`. On the last delivery the error is recorded on the session first.
 * - error a retry cannot fix: recorded on the session (and shown in its Slack thread); the message
 *   completes.
 * - malformed message: logged and completed; no delivery can ever succeed.
 *
 * @example
 * app.storageQueue('baton-runs', { queueName, connection, handler: createRunQueueHandler(baton, { queue, timeoutMs: 600_000, maxDequeueCount: 5 }) });
 */
export function createRunQueueHandler(baton: Baton, options: RunQueueHandlerOptions): AzureQueueHandler {
  return async (queueEntry, context) => {
    const startedAt = baton.clock.now();
    const parsed = parseRunMessage(queueEntry);
    if (!parsed.ok) {
      context.error(`dropping a malformed run message: ${parsed.error}`, { queueEntry });
      return;
    }
    const message = parsed.message;
    const delivery = queueDelivery(context);
    const owner = invocationOwner(context);
    const deadline = invocationDeadline(startedAt, options.timeoutMs, options.marginMs);
    const run = { deadline, ...(owner ? { owner } : {}) };
    let result: HandleResult;
    try {
      result = options.slack
        ? await handleSlackRun(options.slack, message, run)
        : await baton.handle(message, run);
    } catch (error) {
      const retryable = isRetryable(error);
      const last = delivery.dequeueCount >= options.maxDequeueCount;
      if (retryable && !last) throw error;
      const why = retryable
        ? `the run failed on all ${delivery.dequeueCount} deliveries of its message, which goes to the poison queue; last error: ${describe(error)}`
        : `the run stopped on an error a retry cannot fix: ${describe(error)}`;
      await recordOrRethrow(baton, message, error, why, context);
      await showFailureInSlack(
        options.slack,
        sessionRef(message.tenant, message.sessionId),
        context,
        deadline,
      );
      if (retryable) throw error;
      return;
    }
    if (result.kind === 'retry_later') {
      // If this send fails the host redelivers the original instead: nothing is lost.
      await options.queue.enqueue(message, { delayMs: result.delayMs });
    }
  };
}

async function recordOrRethrow(
  baton: Baton,
  message: RunMessage,
  error: unknown,
  why: string,
  context: InvocationContext,
): Promise<void> {
  const ref = sessionRef(message.tenant, message.sessionId);
  const code = isBatonError(error) ? error.code : 'internal';
  try {
    await baton.recordFailure(ref, { code, message: why, dedupeKey: failureKey(message) });
    context.warn(why, { session: `${ref.tenant}/${ref.sessionId}`, code });
  } catch (recordError) {
    // Recording failed too (the store is down?): the redelivery, or the poison handler, records it.
    context.error('could not record the run failure on the session', { recordError, error });
    throw isRetryable(error) ? error : recordError;
  }
}

/** Shared by the run and poison handlers, so a failure recorded by one is not recorded again. */
export function failureKey(message: RunMessage): string {
  return `failure:${message.dedupeKey}`;
}

export function describe(error: unknown): string {
  if (isBatonError(error)) return `${error.code}: ${error.message}`;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
