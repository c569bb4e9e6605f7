import { type HandleResult, type RunMessage, sessionRef } from '@baton/core';
import type { SlackChannel } from './slack-channel.js';
import { deliver } from './slack-delivery.js';
import { isSlackSession } from './slack-session.js';

/**
 * The queue worker's one line for Slack: use it where the worker would call `baton.handle`.
 * For a Slack session it delivers first (the "working…" placeholder, and an approval message
 * rewritten after a click), runs the session, then delivers the answer. Other sessions go straight
 * to `baton.handle`. The run ends `deliveryReserveMs` before the deadline so the answer still fits.
 *
 * @example
 * const result = await handleSlackRun(slack, message, { deadline: Date.now() + context.getRemainingTimeInMillis() });
 */
export async function handleSlackRun(
  slack: SlackChannel,
  message: RunMessage,
  options: { deadline: number; owner?: string },
): Promise<HandleResult> {
  const ref = sessionRef(message.tenant, message.sessionId);
  if (!isSlackSession(ref)) return slack.baton.handle(message, options);
  // Outbox entries this invocation recorded: the second delivery may send them without waiting.
  const mine = new Set<string>();
  await deliver(slack, ref, { deadline: options.deadline, mine, retryLater: false });
  const now = slack.baton.clock.now();
  const runDeadline = Math.max(now, options.deadline - slack.deliveryReserveMs);
  const result = await slack.baton.handle(message, { ...options, deadline: runDeadline });
  await deliver(slack, ref, { deadline: options.deadline, mine, retryLater: true });
  return result;
}
