import type { InvocationContext } from '@azure/functions';
import type { SessionRef } from '@baton/core';
import { deliverSlackReplies, isSlackSession, type SlackChannel } from '@baton/slack';

/**
 * After a failure was recorded on a Slack session, its thread shows it (the placeholder becomes the
 * error). Best effort: the failure is on the session whatever Slack answers.
 */
export async function showFailureInSlack(
  slack: SlackChannel | undefined,
  ref: SessionRef,
  context: InvocationContext,
  deadline?: number,
): Promise<void> {
  if (!slack || !isSlackSession(ref)) return;
  try {
    await deliverSlackReplies(slack, ref, deadline !== undefined ? { deadline } : {});
  } catch (error) {
    context.warn('could not tell the Slack thread about the failure', { error });
  }
}
