import { createHmac, timingSafeEqual } from 'node:crypto';
import { SlackSignatureError } from './slack-errors.js';

/** Header names are matched case-insensitively; Node gives arrays for repeated headers. */
export type SlackHeaders = Record<string, string | string[] | undefined>;

/** Slack rejects requests older than five minutes; so do we, in both directions (clock skew). */
export const MAX_REQUEST_AGE_SECONDS = 5 * 60;

/**
 * Checks Slack's `v0` request signature: hex HMAC-SHA256 of `v0:{timestamp}:{raw body}` with the
 * signing secret, compared in constant time, and a timestamp within five minutes of `now` (epoch
 * ms). Throws SlackSignatureError (status 401) naming what was wrong; returns nothing when valid.
 * Verify the exact bytes Slack sent, before any body parser touches them.
 *
 * @example
 * verifySlackRequest(rawBody, { 'x-slack-signature': sig, 'x-slack-request-timestamp': ts }, secret, Date.now());
 */
export function verifySlackRequest(
  rawBody: string | Uint8Array,
  headers: SlackHeaders,
  signingSecret: string,
  now: number,
): void {
  const signature = header(headers, 'x-slack-signature');
  const timestamp = header(headers, 'x-slack-request-timestamp');
  if (signature === undefined || timestamp === undefined) {
    throw new SlackSignatureError(
      'missing_headers',
      'X-Slack-Signature and X-Slack-Request-Timestamp are required',
    );
  }
  if (!/^\d{1,12}$/.test(timestamp)) {
    throw new SlackSignatureError('malformed_headers', 'X-Slack-Request-Timestamp must be epoch seconds');
  }
  if (!/^v0=[0-9a-f]{64}$/i.test(signature)) {
    throw new SlackSignatureError(
      'malformed_headers',
      'X-Slack-Signature must be v0= followed by 64 hex digits',
    );
  }
  if (Math.abs(now / 1000 - Number(timestamp)) > MAX_REQUEST_AGE_SECONDS) {
    throw new SlackSignatureError('stale_timestamp', 'the request timestamp is more than five minutes away');
  }
  const expected = Buffer.from(slackSignature(rawBody, timestamp, signingSecret).slice(3), 'hex');
  const given = Buffer.from(signature.slice(3), 'hex');
  // Both are 32 bytes here (the format check above), so timingSafeEqual cannot throw on length.
  if (!timingSafeEqual(expected, given)) {
    throw new SlackSignatureError('bad_signature', 'the request signature does not match the body');
  }
}

/** The `X-Slack-Signature` value Slack would send for this body and timestamp (seconds). */
export function slackSignature(
  rawBody: string | Uint8Array,
  timestamp: string,
  signingSecret: string,
): string {
  const hmac = createHmac('sha256', signingSecret);
  hmac.update(`v0:${timestamp}:`);
  hmac.update(typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody);
  return `v0=${hmac.digest('hex')}`;
}

/** First value of a header, looked up case-insensitively. */
export function header(headers: SlackHeaders, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name) continue;
    return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}
