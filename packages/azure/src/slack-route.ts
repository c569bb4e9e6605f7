import type { InvocationContext } from '@azure/functions';
import type { Baton, SessionRef } from '@baton/core';
import {
  createSlackChannel,
  deliverSlackReplies,
  isSlackSession,
  type SlackChannel,
  type SlackRequestKind,
  slackOptionsFromEnv,
} from '@baton/slack';
import type { Environment } from './host-settings.js';

/** Slack's request URLs under the route prefix; `/slack` serves all three (the kind is read from the body). */
const SLACK_PATHS = new Map<string, SlackRequestKind | undefined>([
  ['/slack', undefined],
  ['/slack/events', 'events'],
  ['/slack/interactivity', 'interactivity'],
  ['/slack/commands', 'commands'],
]);

/**
 * Whether a request is one of Slack's (always a POST), and which kind its URL says it is. Other
 * methods fall through to the API, which answers them as unknown routes.
 *
 * @example
 * const route = slackRoute('POST', '/slack/events'); // { kind: 'events' }
 */
export function slackRoute(method: string, path: string): { kind?: SlackRequestKind } | null {
  if (method !== 'POST' || !SLACK_PATHS.has(path)) return null;
  const kind = SLACK_PATHS.get(path);
  return kind ? { kind } : {};
}

/**
 * The Slack channel when the app settings configure one (SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN,
 * Key Vault references included; see @baton/slack for the optional ones), else undefined. Only one
 * of the two stops the app at start: a bot that silently ignores Slack would be harder to diagnose.
 *
 * @example
 * const slack = slackChannelFromEnvironment(baton, process.env);
 */
export function slackChannelFromEnvironment(baton: Baton, env: Environment): SlackChannel | undefined {
  if (!env.SLACK_SIGNING_SECRET && !env.SLACK_BOT_TOKEN) return undefined;
  return createSlackChannel({ baton, ...slackOptionsFromEnv(env) });
}

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
