import type { Logger } from '@baton/core';
import {
  LogLevel,
  type Logger as SlackLogger,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebClient,
} from '@slack/web-api';
import type { SlackChannel } from './slack-channel.js';

/**
 * WebClients for one delivery. Posts are never retried by the client: a post that timed out may
 * have landed, and only the outbox reconciliation can tell. Idempotent calls (updates, reads) get a
 * short retry. Rate-limited calls fail at once instead of sleeping past the invocation's deadline.
 */
export interface SlackClients {
  posting: WebClient;
  idempotent: WebClient;
  /** Longest time one call can take, retries included; no call starts with less time left. */
  callBudgetMs: number;
}

const BACKOFF_MS = 200;

export function slackClients(slack: SlackChannel): SlackClients {
  const base = {
    ...(slack.slackApiUrl ? { slackApiUrl: slack.slackApiUrl } : {}),
    timeout: slack.callTimeoutMs,
    rejectRateLimitedCalls: true,
    logger: webLogger(slack.baton.logger.child({ component: 'slack-web-api' })),
  };
  return {
    posting: new WebClient(slack.botToken, { ...base, retryConfig: { retries: 0 } }),
    idempotent: new WebClient(slack.botToken, {
      ...base,
      retryConfig: { retries: slack.retries, factor: 1, minTimeout: BACKOFF_MS, maxTimeout: BACKOFF_MS },
    }),
    callBudgetMs: (slack.retries + 1) * slack.callTimeoutMs + slack.retries * BACKOFF_MS,
  };
}

export type CallFailure =
  /** Transient: the same call may succeed later (rate limits, timeouts, Slack outages). */
  | { kind: 'retry'; code: string; retryAfterMs: number }
  /** This message can never be delivered (channel gone, bot removed): marked failed, not retried. */
  | { kind: 'permanent'; code: string }
  /** The app is misconfigured (token, scopes): no message can be delivered until someone fixes it. */
  | { kind: 'config'; code: string };

const CONFIG = new Set([
  'not_authed',
  'invalid_auth',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'no_permission',
  'missing_scope',
  'not_allowed_token_type',
  'org_login_required',
]);
const TRANSIENT = new Set([
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
  'ratelimited',
]);

export function classifyFailure(error: unknown): CallFailure {
  if (error instanceof WebAPIRateLimitedError) {
    return { kind: 'retry', code: 'ratelimited', retryAfterMs: Math.max(1, error.retryAfter) * 1000 };
  }
  if (error instanceof WebAPIPlatformError) {
    const code = String(error.data.error);
    if (CONFIG.has(code)) return { kind: 'config', code };
    if (TRANSIENT.has(code)) return { kind: 'retry', code, retryAfterMs: 1_000 };
    return { kind: 'permanent', code };
  }
  // Network errors, timeouts and HTTP 5xx: the outcome of a post is unknown.
  return { kind: 'retry', code: 'request_failed', retryAfterMs: 1_000 };
}

/** Routes the Web API client's logging into Baton's structured logger. */
function webLogger(logger: Logger): SlackLogger {
  let level = LogLevel.WARN;
  const text = (parts: unknown[]) => parts.map(String).join(' ');
  return {
    debug: () => {},
    info: (...parts: unknown[]) => {
      if (level === LogLevel.INFO || level === LogLevel.DEBUG) logger.info(text(parts));
    },
    warn: (...parts: unknown[]) => logger.warn(text(parts)),
    error: (...parts: unknown[]) => logger.error(text(parts)),
    setLevel: (next: LogLevel) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => {},
  };
}
