import type { Baton } from '@baton/core';
import { sessionRef } from '@baton/core';
import type { SlackChannel } from '@baton/slack';
import { queueDelivery } from './queue-delivery.js';
import { parseRunMessage } from './run-message.js';
import { type AzureQueueHandler, failureKey } from './run-queue-handler.js';
import { showFailureInSlack } from './slack-route.js';

export interface PoisonQueueHandlerOptions {
  /** host.json `extensions.queues.maxDequeueCount`, for the recorded reason. */
  maxDequeueCount: number;
  /** A Slack session's thread is told about the failure. */
  slack?: SlackChannel;
}

/**
 * The trigger on `<queue>-poison`, where the host moves a run message after maxDequeueCount failed
 * deliveries. It records the reason on the session unless the run handler already did on the last
 * delivery (same dedupe key); what is left is the case where that invocation crashed or timed out
 * before it could. Throwing here (the store is down) lets the host retry this handler too.
 *
 * @example
 * app.storageQueue('baton-runs-poison', { queueName: 'baton-runs-poison', connection, handler: createPoisonQueueHandler(baton, { maxDequeueCount: 5 }) });
 */
export function createPoisonQueueHandler(
  baton: Baton,
  options: PoisonQueueHandlerOptions,
): AzureQueueHandler {
  return async (queueEntry, context) => {
    const parsed = parseRunMessage(queueEntry);
    if (!parsed.ok) {
      context.error(`a malformed message reached the poison queue: ${parsed.error}`, { queueEntry });
      return;
    }
    const message = parsed.message;
    const ref = sessionRef(message.tenant, message.sessionId);
    const outcome = await baton.recordFailure(ref, {
      code: 'poison_message',
      message:
        `the run message (${message.reason}) failed ${options.maxDequeueCount} deliveries and went to the ` +
        'poison queue; its last invocation crashed or timed out before it could record an error',
      dedupeKey: failureKey(message),
    });
    context.warn(`poison run message for ${ref.tenant}/${ref.sessionId}: ${outcome}`, {
      dedupeKey: message.dedupeKey,
      poisonMessageId: queueDelivery(context).id,
    });
    await showFailureInSlack(options.slack, ref, context);
  };
}
