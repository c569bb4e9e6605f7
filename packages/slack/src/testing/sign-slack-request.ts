import type { SlackHttpRequest, SlackRequestKind } from '../slack-http.js';
import { slackSignature } from '../slack-signature.js';

/**
 * Signs a body the way Slack does: `X-Slack-Request-Timestamp` (epoch seconds) and
 * `X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:{timestamp}:{body}">`.
 *
 * @example
 * const request = signedSlackRequest(JSON.stringify(payload), { secret: 'test-secret', now: Date.now() });
 */
export function signedSlackRequest(
  rawBody: string,
  options: {
    secret: string;
    /** Epoch ms the request is signed at. */
    now: number;
    kind?: SlackRequestKind;
    retryNum?: number;
    contentType?: string;
  },
): SlackHttpRequest {
  const timestamp = String(Math.floor(options.now / 1000));
  return {
    ...(options.kind ? { kind: options.kind } : {}),
    headers: {
      'content-type':
        options.contentType ??
        (rawBody.trimStart().startsWith('{') ? 'application/json' : 'application/x-www-form-urlencoded'),
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': slackSignature(rawBody, timestamp, options.secret),
      ...(options.retryNum !== undefined
        ? { 'x-slack-retry-num': String(options.retryNum), 'x-slack-retry-reason': 'http_timeout' }
        : {}),
    },
    rawBody,
  };
}
