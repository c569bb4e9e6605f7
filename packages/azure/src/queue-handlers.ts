import type { InvocationContext } from '@azure/functions';
import { type BatonApp, parseRunMessage, type RunQueue } from '@baton/core';
import { invocationOwner, priorAttempts, queueDelivery } from './queue-delivery.js';
import { type RecoveryGuard, type RecoveryGuardOptions, startRecoveryGuard } from './recovery-guard.js';
import { StorageQueueRunQueue } from './storage-queue-run-queue.js';
import { invocationDeadline } from './time-budget.js';

/** A storage queue trigger handler: `(queueEntry, context)`; resolving completes the message. */
export type AzureQueueHandler = (queueEntry: unknown, context: InvocationContext) => Promise<void>;

export interface QueueHandlerOptions {
  /** The run queue: a message that must come back later is sent there again, hidden for the delay. */
  queue: RunQueue;
  /** host.json functionTimeout in ms (see hostSettings). */
  timeoutMs: number;
  marginMs?: number;
  /** host.json `extensions.queues.maxDequeueCount`: the app's maxAttempts. */
  maxDequeueCount: number;
  /**
   * A hidden copy of each run message renewed while it runs (see startRecoveryGuard), so a host
   * that dies has its runs back within 30 s instead of the host's 10 minutes. On by default when
   * `queue` is a StorageQueueRunQueue; false turns it off.
   */
  recovery?: RecoveryGuardOptions | false;
}

/**
 * The run queue trigger: `app.deliver`, then what the disposition asks for.
 *
 * - done: resolves, and the host deletes the message.
 * - retry: sends a copy hidden for `delayMs` and resolves. Throwing instead would bring the message
 *   back after host.json's fixed `visibilityTimeout`, not after the app's delay; the copy carries
 *   the attempts used so far (`priorAttempts`), so retries that count still end at maxAttempts.
 * - dead_letter: resolves. The failure is on the session and in its channel already; the poison
 *   queue is drained by the poison trigger, so moving the message there would only record it twice.
 *
 * A throw (the copy could not be sent) leaves the message to the host: redelivered after
 * `visibilityTimeout`, and moved to `<queue>-poison` after maxDequeueCount, as after a crash.
 *
 * @example
 * app.storageQueue('baton-runs', { queueName, connection, handler: createRunQueueHandler(batonApp, { queue, timeoutMs: 600_000, maxDequeueCount: 5 }) });
 */
export function createRunQueueHandler(app: BatonApp, options: QueueHandlerOptions): AzureQueueHandler {
  return async (entry, context) => {
    const attempt = priorAttempts(entry) + queueDelivery(context).dequeueCount;
    const guard = await guardFor(options, entry, attempt, context);
    try {
      await deliver(app, options, entry, context, attempt);
    } finally {
      await guard?.remove();
    }
  };
}

function guardFor(
  options: QueueHandlerOptions,
  entry: unknown,
  attempt: number,
  context: InvocationContext,
): Promise<RecoveryGuard | undefined> {
  const parsed = parseRunMessage(entry);
  if (options.recovery === false || !(options.queue instanceof StorageQueueRunQueue) || !parsed.ok) {
    return Promise.resolve(undefined);
  }
  // Back after a crash, the copy is the next attempt: this one is spent.
  const copy = { ...parsed.message, priorAttempts: attempt };
  return startRecoveryGuard(options.queue.client, copy, options.recovery ?? {}, {
    warn: (message, details) => context.warn(message, details),
  });
}

/**
 * The trigger on `<queue>-poison`, where the host moves a message after maxDequeueCount failed
 * deliveries: an attempt past the limit, so the app records the failure without running. A copy
 * it must retry (the store is down) goes to the run queue carrying the spent attempts, and comes
 * back there as a poison delivery again.
 *
 * @example
 * app.storageQueue('baton-runs-poison', { queueName: 'baton-runs-poison', connection, handler: createPoisonQueueHandler(batonApp, options) });
 */
export function createPoisonQueueHandler(app: BatonApp, options: QueueHandlerOptions): AzureQueueHandler {
  return (entry, context) => deliver(app, options, entry, context, options.maxDequeueCount + 1);
}

async function deliver(
  app: BatonApp,
  options: QueueHandlerOptions,
  entry: unknown,
  context: InvocationContext,
  attempt: number,
): Promise<void> {
  const startedAt = app.baton.clock.now();
  const owner = invocationOwner(context);
  const disposition = await app.deliver(entry, {
    deadline: invocationDeadline(startedAt, options.timeoutMs, options.marginMs),
    attempt,
    maxAttempts: options.maxDequeueCount,
    ...(owner ? { owner } : {}),
  });
  if (disposition.action === 'retry') {
    const parsed = parseRunMessage(entry);
    if (!parsed.ok) throw new Error(`cannot re-send a message that is not a run message: ${parsed.reason}`);
    const copy = { ...parsed.message, priorAttempts: disposition.consumesAttempt ? attempt : attempt - 1 };
    await options.queue.enqueue(copy, { delayMs: disposition.delayMs });
  } else if (disposition.action === 'dead_letter') {
    context.warn(`run message dead-lettered (${disposition.code}): ${disposition.message}`, {
      code: disposition.code,
      queueEntry: entry,
    });
  }
}
