import type { Baton } from '@baton/core';
import {
  createSlackChannel,
  type SlackChannel,
  type SlackHttpResponse,
  type SlackRequestKind,
  slackOptionsFromEnv,
} from '@baton/slack';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** Slack's request URLs under the API's root; `/slack` serves all three (the kind is read from the body). */
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
 * The Slack channel when the environment configures one (SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN;
 * see @baton/slack for the optional ones), else undefined. Only one of the two stops the cold
 * start: a bot that silently ignores Slack would be harder to diagnose.
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

/** Slack's answer as Lambda's structured result: the body is already text. */
export function toSlackLambdaResult(response: SlackHttpResponse): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: response.status,
    headers: { ...response.headers },
    body: response.body,
    isBase64Encoded: false,
  };
}
