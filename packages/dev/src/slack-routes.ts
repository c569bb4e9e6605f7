import type { IncomingMessage } from 'node:http';
import {
  handleSlackHttp,
  type SlackChannel,
  type SlackChannelOptions,
  slackOptionsFromEnv,
  slackRoute,
} from '@baton/slack';
import type { HttpServerOptions } from './http-server.js';

type ExtraRoutes = NonNullable<HttpServerOptions['extraRoutes']>;

/** What the local server needs to serve Slack; the channel itself is made on the app's Baton. */
export type SlackSettings = Omit<SlackChannelOptions, 'baton'>;

/**
 * The Slack settings of the environment (SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN, optionally
 * SLACK_APPROVERS, SLACK_BOT_USER_ID and SLACK_API_URL), or undefined when neither of the two is
 * set. Only one of them is a mistake that the channel refuses at start.
 *
 * @example
 * const settings = slackSettingsFromEnvironment(process.env);
 */
export function slackSettingsFromEnvironment(env: NodeJS.ProcessEnv): SlackSettings | undefined {
  if (!env.SLACK_SIGNING_SECRET && !env.SLACK_BOT_TOKEN) return undefined;
  return slackOptionsFromEnv(env);
}

/**
 * Mounts Slack on the local server through its `extraRoutes` hook: POSTs to Slack's URLs go to
 * `handleSlackHttp` with the body as received; anything else goes to `next` (the console), or
 * falls through to the HTTP API.
 *
 * @example
 * const extraRoutes = slackRoutes(slack, consoleRoutes(consoleHandler));
 */
export function slackRoutes(slack: SlackChannel, next?: ExtraRoutes): ExtraRoutes {
  return async (request: IncomingMessage, body, url, closed) => {
    const route = slackRoute(request.method ?? 'GET', url.pathname);
    if (!route) return next ? next(request, body, url, closed) : null;
    const kind = route.kind;
    // node:http lower-cases header names already; the body is the request's UTF-8 text, which
    // gives back the bytes Slack signed (Slack sends UTF-8).
    const response = await handleSlackHttp(slack, {
      ...(kind ? { kind } : {}),
      headers: request.headers,
      rawBody: body,
    });
    return { status: response.status, headers: response.headers, raw: response.body };
  };
}
