import { type ApproverPolicy, type Baton, type SessionRef, setChannelApprovers } from '@baton/core';
import { isSlackSession } from './slack-session.js';

/**
 * Slack's chat.update is a Tier 3 method: about 50 calls a minute per workspace and app, shared by
 * every session of the workspace. One progress update every 1.5 s keeps one streaming answer at 40.
 */
export const DEFAULT_PROGRESS_EVERY_MS = 1_500;

/**
 * Who may decide the approvals of Slack sessions (SLACK_APPROVERS): anyone who holds the `approve`
 * scope (every Slack user who sees the buttons does), or only these Slack user ids. An entry with
 * a ':' is taken as an identity's user as it is (e.g. `key:<keyId>` for an API key, `cli:ops`).
 */
export type SlackApprovers = 'anyone' | readonly string[];

export interface SlackChannelOptions {
  baton: Baton;
  /** From the app's Basic Information page; verifies every request. */
  signingSecret: string;
  /** xoxb- token used to post replies. */
  botToken: string;
  /** Agent for new Slack sessions; defaults to Baton's default agent. */
  agent?: string;
  /** The bot's user id; read from each event's `authorizations` when not set. */
  botUserId?: string;
  /** Becomes the core approver policy of Slack sessions; an agent's or tool's own policy wins. */
  approvers?: SlackApprovers;
  /** Other bots' messages: ignored (default) or treated like people's. The bot's own are always ignored. */
  botMessages?: 'ignore' | 'others';
  /** Edits and deletions of messages: ignored (default) or recorded as new input describing the change. */
  messageChanges?: 'ignore' | 'as_input';
  /** Larger request bodies are refused with 413 before they are verified or parsed. */
  maxBodyBytes?: number;
  /** Web API base URL; tests point it at a local fake. */
  slackApiUrl?: string;
  /** Per-call timeout of a Web API request. */
  callTimeoutMs?: number;
  /** Retries of idempotent Web API calls (updates, reads). Posts are never retried blindly. */
  retries?: number;
  /** Longest message text; longer answers are split into several messages. */
  maxMessageChars?: number;
  /** How long an outbox entry recorded by another invocation is left to it before this one sends it. */
  claimMs?: number;
  /** Time the queue worker keeps for delivering replies after a run. */
  deliveryReserveMs?: number;
  /**
   * Least time between two rewrites of the placeholder with the answer being written (chat.update
   * is Tier 3, ~50 a minute per workspace). Default 1500 ms; 0 shows only the committed answer.
   */
  progressEveryMs?: number;
}

export interface SlackChannel {
  readonly baton: Baton;
  readonly signingSecret: string;
  readonly botToken: string;
  readonly agent: string | undefined;
  readonly botUserId: string | undefined;
  readonly approvers: SlackApprovers;
  readonly botMessages: 'ignore' | 'others';
  readonly messageChanges: 'ignore' | 'as_input';
  readonly maxBodyBytes: number;
  readonly slackApiUrl: string | undefined;
  readonly callTimeoutMs: number;
  readonly retries: number;
  readonly maxMessageChars: number;
  readonly claimMs: number;
  readonly deliveryReserveMs: number;
  readonly progressEveryMs: number;
}

/** Slack's own limit is 40,000 characters, but it advises under 4,000 for messages people read. */
export const DEFAULT_MAX_MESSAGE_CHARS = 3_900;

/**
 * The Slack channel of a Baton: configuration shared by the HTTP route and the queue worker.
 *
 * @example
 * const slack = createSlackChannel({ baton, signingSecret: 'secret', botToken: 'xoxb-1' });
 */
export function createSlackChannel(options: SlackChannelOptions): SlackChannel {
  if (!options.signingSecret) throw new Error('Slack needs a signing secret (SLACK_SIGNING_SECRET)');
  if (!options.botToken) throw new Error('Slack needs a bot token (SLACK_BOT_TOKEN)');
  const maxMessageChars = options.maxMessageChars ?? DEFAULT_MAX_MESSAGE_CHARS;
  if (!Number.isInteger(maxMessageChars) || maxMessageChars < 100 || maxMessageChars > 40_000) {
    throw new Error('maxMessageChars must be an integer from 100 to 40000');
  }
  const approvers = options.approvers ?? 'anyone';
  // The policy lives in core, so an approval of a Slack session is checked the same way whichever
  // way it arrives (these buttons, the HTTP API, the console, the CLI).
  const policy = slackApproverPolicy(approvers);
  setChannelApprovers(
    options.baton,
    'slack',
    policy ? (ref: SessionRef) => (isSlackSession(ref) ? policy : undefined) : undefined,
  );
  return {
    baton: options.baton,
    signingSecret: options.signingSecret,
    botToken: options.botToken,
    agent: options.agent,
    botUserId: options.botUserId,
    approvers,
    botMessages: options.botMessages ?? 'ignore',
    messageChanges: options.messageChanges ?? 'ignore',
    maxBodyBytes: options.maxBodyBytes ?? 512 * 1024,
    slackApiUrl: options.slackApiUrl,
    callTimeoutMs: options.callTimeoutMs ?? 3_000,
    retries: options.retries ?? 1,
    maxMessageChars,
    claimMs: options.claimMs ?? 15_000,
    deliveryReserveMs: options.deliveryReserveMs ?? 3_000,
    progressEveryMs: options.progressEveryMs ?? DEFAULT_PROGRESS_EVERY_MS,
  };
}

/**
 * The options a deployment reads from its environment (SST secrets and Key Vault references arrive
 * as environment variables too): SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN, and optionally
 * SLACK_API_URL, SLACK_BOT_USER_ID and SLACK_APPROVERS ("anyone" or comma-separated user ids).
 *
 * @example
 * const slack = createSlackChannel({ baton, ...slackOptionsFromEnv(process.env) });
 */
export function slackOptionsFromEnv(
  env: Record<string, string | undefined>,
): Pick<SlackChannelOptions, 'signingSecret' | 'botToken' | 'slackApiUrl' | 'botUserId' | 'approvers'> {
  const approvers = env.SLACK_APPROVERS?.trim();
  return {
    signingSecret: env.SLACK_SIGNING_SECRET ?? '',
    botToken: env.SLACK_BOT_TOKEN ?? '',
    ...(env.SLACK_API_URL ? { slackApiUrl: env.SLACK_API_URL } : {}),
    ...(env.SLACK_BOT_USER_ID ? { botUserId: env.SLACK_BOT_USER_ID } : {}),
    ...(approvers && approvers !== 'anyone'
      ? {
          approvers: approvers
            .split(',')
            .map((id) => id.trim())
            .filter(Boolean),
        }
      : {}),
  };
}

/** The core policy SLACK_APPROVERS stands for: none for 'anyone', else those users (`slack:<U…>`). */
export function slackApproverPolicy(approvers: SlackApprovers): ApproverPolicy | undefined {
  if (approvers === 'anyone') return undefined;
  return { users: approvers.map((id) => (id.includes(':') ? id : slackUser(id))) };
}

/** The identity user of a Slack user id, as decisions record it. */
export function slackUser(userId: string): string {
  return `slack:${userId}`;
}
