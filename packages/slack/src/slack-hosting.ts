import type { Baton, RouteSpec } from '@baton/core';
import { createSlackChannel, type SlackChannel, slackOptionsFromEnv } from './slack-channel.js';
import type { SlackRequestKind } from './slack-http.js';

/** Slack's request URLs under a host's root; `/slack` serves all three (the kind is read from the body). */
const SLACK_PATHS = new Map<string, SlackRequestKind | undefined>([
  ['/slack', undefined],
  ['/slack/events', 'events'],
  ['/slack/interactivity', 'interactivity'],
  ['/slack/commands', 'commands'],
]);

/**
 * Slack's part of the app's route table: every URL `slackRoute` answers, POST only, `signed`
 * (the channel verifies Slack's signature itself; a request without a good one gets 401).
 */
export const SLACK_ROUTES: readonly RouteSpec[] = [...SLACK_PATHS.keys()].map((path) => ({
  method: 'POST',
  path,
  access: 'signed',
  owner: 'slack',
}));

/**
 * Whether a request is one of Slack's (always a POST), and which kind its URL says it is. Other
 * methods fall through to the host's API, which answers them as unknown routes.
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
 * The Slack channel when the environment configures one (SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN;
 * optionally SLACK_APPROVERS, SLACK_BOT_USER_ID, SLACK_API_URL), else undefined. Only one of the two
 * is refused at start: a bot that silently ignores Slack would be harder to diagnose.
 *
 * @example
 * const slack = slackChannelFromEnvironment(baton, process.env);
 */
export function slackChannelFromEnvironment(
  baton: Baton,
  env: Record<string, string | undefined>,
): SlackChannel | undefined {
  if (!env.SLACK_SIGNING_SECRET && !env.SLACK_BOT_TOKEN) return undefined;
  return createSlackChannel({ baton, ...slackOptionsFromEnv(env) });
}
