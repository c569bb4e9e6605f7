import { type HandleResult, type RunMessage, sessionRef } from '@baton/core';
import type { SlackChannel } from './slack-channel.js';
import { deliver } from './slack-delivery.js';
import { followProgress } from './slack-progress.js';
import { isSlackSession } from './slack-session.js';

/**
 * The queue worker's one line for Slack: use it where the worker would call `baton.handle`.
 * For a Slack session it delivers first (the "working…" placeholder, and an approval message
 * rewritten after a click), runs the session (the placeholder showing the answer as it is written),
 * then delivers the answer. Other sessions go straight
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
  const before = await deliver(slack, ref, { deadline: options.deadline, mine, retryLater: false });
  const now = slack.baton.clock.now();
  const runDeadline = Math.max(now, options.deadline - slack.deliveryReserveMs);
  // The answer shows in the placeholder as it is written; the delivery below writes the committed one.
  const progress =
    before.working && slack.progressEveryMs > 0 ? followProgress(slack, ref, before.working) : null;
  let result: HandleResult;
  try {
    result = await slack.baton.handle(message, { ...options, deadline: runDeadline });
  } finally {
    await progress?.stop();
  }
  await deliver(slack, ref, { deadline: options.deadline, mine, retryLater: true });
  return result;
}
