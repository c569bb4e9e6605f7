import type { Channel, ChannelFactory, SessionRef } from '@baton/core';
import {
  createSlackChannel,
  type SlackChannel,
  type SlackChannelOptions,
  slackOptionsFromEnv,
} from './slack-channel.js';
import { SLACK_ROUTES, slackRoute } from './slack-hosting.js';
import { isSlackSession } from './slack-session.js';

/**
 * Slack's request handling and delivery (payload schemas, the Web API client): loaded on the first
 * Slack request or Slack run, so a cold start that serves neither never loads them.
 */
let heavy: Promise<[typeof import('./slack-http.js'), typeof import('./slack-delivery.js')]> | undefined;
function loadSlack() {
  heavy ??= Promise.all([import('./slack-http.js'), import('./slack-delivery.js')]);
  return heavy;
}

/** `handleSlackHttp` (slack-http.ts), loaded on the first call: the same function, off the cold start. */
export async function handleSlackHttp(
  ...args: Parameters<typeof import('./slack-http.js').handleSlackHttp>
): ReturnType<typeof import('./slack-http.js').handleSlackHttp> {
  const [http] = await loadSlack();
  return http.handleSlackHttp(...args);
}

/** `deliverSlackReplies` (slack-delivery.ts), loaded on the first call. */
export async function deliverSlackReplies(
  ...args: Parameters<typeof import('./slack-delivery.js').deliverSlackReplies>
): ReturnType<typeof import('./slack-delivery.js').deliverSlackReplies> {
  const [, delivery] = await loadSlack();
  return delivery.deliverSlackReplies(...args);
}

/** `handleSlackRun` (slack-worker.ts), loaded on the first call. */
export async function handleSlackRun(
  ...args: Parameters<typeof import('./slack-worker.js').handleSlackRun>
): ReturnType<typeof import('./slack-worker.js').handleSlackRun> {
  return (await import('./slack-worker.js')).handleSlackRun(...args);
}

/** Options of `slack()`: any channel option; the signing secret and bot token default to the environment. */
export type SlackOptions = Partial<Omit<SlackChannelOptions, 'baton'>>;

/**
 * Slack as a channel of a Baton app: serves Slack's request URLs (`/slack/events`,
 * `/slack/interactivity`, `/slack/commands`, `/slack`), posts a placeholder and then the answer for
 * every run of a Slack session, and shows a failure in its thread. Configured by the options, else by
 * SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN (optionally SLACK_APPROVERS, SLACK_BOT_USER_ID,
 * SLACK_API_URL); with neither set the app runs without Slack, and only one of the two is refused.
 *
 * @example
 * // baton.config.ts
 * export default defineBaton({ agents: [helper], channels: [slack()] });
 */
export function slack(options: SlackOptions = {}): ChannelFactory {
  return ({ baton, env }) => {
    const fromEnv = slackOptionsFromEnv(env);
    const signingSecret = options.signingSecret ?? fromEnv.signingSecret;
    const botToken = options.botToken ?? fromEnv.botToken;
    if (!signingSecret && !botToken) return undefined;
    return slackAppChannel(createSlackChannel({ ...fromEnv, ...options, signingSecret, botToken, baton }));
  };
}

/** The app channel of an existing SlackChannel (for hosts and tests that build the channel themselves). */
export function slackAppChannel(channel: SlackChannel): Channel & { slack: SlackChannel } {
  return {
    name: 'slack',
    slack: channel,
    routes: SLACK_ROUTES,
    async fetch(request) {
      const path = new URL(request.url).pathname;
      const route = slackRoute(request.method.toUpperCase(), path);
      if (!route) return null;
      const headers: Record<string, string> = {};
      request.headers.forEach((value, name) => {
        headers[name.toLowerCase()] = value;
      });
      // The signature covers the bytes as sent: read them as bytes, before anything parses them.
      const rawBody = new Uint8Array(await request.arrayBuffer());
      const [{ handleSlackHttp }] = await loadSlack();
      const answer = await handleSlackHttp(channel, { ...route, headers, rawBody });
      return new Response(answer.body, { status: answer.status, headers: answer.headers });
    },
    owns: (ref: SessionRef) => isSlackSession(ref),
    async run(ref, run, { deadline }) {
      // Outbox entries this invocation recorded: the second delivery may send them without waiting.
      const mine = new Set<string>();
      const [, { deliver }] = await loadSlack();
      const before = await deliver(channel, ref, { deadline, mine, retryLater: false });
      const runDeadline = Math.max(channel.baton.clock.now(), deadline - channel.deliveryReserveMs);
      // The answer shows in the placeholder as it is written; the delivery below writes the committed one.
      const progress =
        before.working && channel.progressEveryMs > 0
          ? (await import('./slack-progress.js')).followProgress(channel, ref, before.working)
          : null;
      let result: Awaited<ReturnType<typeof run>>;
      try {
        result = await run(runDeadline);
      } finally {
        await progress?.stop();
      }
      await deliver(channel, ref, { deadline, mine, retryLater: true });
      return result;
    },
    async failed(ref, { deadline }) {
      const [, { deliver }] = await loadSlack();
      await deliver(channel, ref, { deadline, mine: new Set(), retryLater: true });
    },
  };
}
