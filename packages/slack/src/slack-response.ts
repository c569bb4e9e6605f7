import { isBatonError, type Json, type Logger } from '@baton/core';
import { SlackRequestError } from './slack-errors.js';

export interface SlackHttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function jsonResponse(
  status: number,
  body: Json,
  extraHeaders: Record<string, string> = {},
): SlackHttpResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', ...extraHeaders },
    body: JSON.stringify(body),
  };
}

/**
 * Maps a failure to an answer Slack understands: 4xx for requests that can never succeed (with
 * X-Slack-No-Retry so Slack does not send them again), 503 for transient failures (Slack's retry
 * is then our retry: the dedupe key makes it safe), 500 for bugs.
 */
export function errorResponse(error: unknown, logger: Logger): SlackHttpResponse {
  if (isBatonError(error)) {
    const body = error.toJSON() as unknown as Json;
    if (error.status >= 400 && error.status < 500)
      return jsonResponse(error.status, body, { 'x-slack-no-retry': '1' });
    if (error.retryable) return jsonResponse(503, body);
  }
  logger.error('unhandled error in the Slack route', { error });
  return jsonResponse(500, { error: { code: 'internal', message: 'internal error', retryable: true } });
}

export function parseJson(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new SlackRequestError('invalid_json', 'the body is not valid JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new SlackRequestError('invalid_payload', 'the payload must be a JSON object');
  }
  return value as Record<string, unknown>;
}

export function issue(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  const first = error.issues[0];
  return first ? `${first.path.map(String).join('.') || '(root)'}: ${first.message}` : 'invalid';
}

export function ignored(reason: string): SlackHttpResponse {
  return jsonResponse(200, { ok: true, ignored: reason });
}
