import { isBatonError } from '@baton/core';
import type { SlackChannel } from './slack-channel.js';
import { handleSlashCommand } from './slack-commands.js';
import { SlackRequestError } from './slack-errors.js';
import { classifyEvent } from './slack-events.js';
import { handleInteraction } from './slack-interactivity.js';
import { originMetadata } from './slack-metadata.js';
import { eventCallback, urlVerification } from './slack-payloads.js';
import {
  errorResponse,
  ignored,
  issue,
  jsonResponse,
  parseJson,
  type SlackHttpResponse,
} from './slack-response.js';
import { slackSessionRef } from './slack-session.js';
import { header, type SlackHeaders, verifySlackRequest } from './slack-signature.js';

export type SlackRequestKind = 'events' | 'interactivity' | 'commands';

export interface SlackHttpRequest {
  /** Which Slack URL was called; detected from the body when omitted (one URL can serve all three). */
  kind?: SlackRequestKind;
  headers: SlackHeaders;
  /** The body exactly as received: the signature covers these bytes. */
  rawBody: string | Uint8Array;
}

export type { SlackHttpResponse } from './slack-response.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The one Slack HTTP entry point for every host (Lambda, Azure Functions, the local server):
 * verifies the signature, records the input or decision through Baton (which enqueues the run),
 * and answers at once. It never runs the agent, so Slack's 3-second acknowledgement always holds.
 * Never throws: every failure is an answer (401 unsigned, 400 malformed, 413 too large, 503 retry).
 *
 * @example
 * const response = await handleSlackHttp(slack, { headers: event.headers, rawBody: event.body ?? '' });
 */
export async function handleSlackHttp(
  slack: SlackChannel,
  request: SlackHttpRequest,
  now: number = slack.baton.clock.now(),
): Promise<SlackHttpResponse> {
  try {
    const bytes =
      typeof request.rawBody === 'string' ? Buffer.from(request.rawBody, 'utf8') : request.rawBody;
    if (bytes.byteLength > slack.maxBodyBytes) {
      throw new SlackRequestError(
        'payload_too_large',
        `the body has ${bytes.byteLength} bytes; the limit is ${slack.maxBodyBytes}`,
        413,
      );
    }
    verifySlackRequest(bytes, request.headers, slack.signingSecret, now);
    const body = decode(bytes);
    const kind = request.kind ?? detectKind(body);
    if (kind === 'events') return await handleEvents(slack, body, request.headers);
    if (kind === 'interactivity') return await handleInteraction(slack, body);
    return await handleSlashCommand(slack, body, request.headers);
  } catch (error) {
    return errorResponse(error, slack.baton.logger);
  }
}

async function handleEvents(
  slack: SlackChannel,
  body: string,
  headers: SlackHeaders,
): Promise<SlackHttpResponse> {
  const json = parseJson(body);
  const type = (json as { type?: unknown }).type;
  if (type === 'url_verification') {
    const parsed = urlVerification.safeParse(json);
    if (!parsed.success) throw new SlackRequestError('invalid_payload', 'url_verification needs a challenge');
    return jsonResponse(200, { challenge: parsed.data.challenge });
  }
  if (type === 'app_rate_limited') {
    slack.baton.logger.warn('Slack is rate limiting event deliveries to this app', { payload: json });
    return jsonResponse(200, { ok: true });
  }
  // Slack adds envelope types from time to time: acknowledge them rather than make Slack retry.
  if (type !== 'event_callback') return ignored(`unsupported_type:${String(type).slice(0, 100)}`);
  const parsed = eventCallback.safeParse(json);
  if (!parsed.success)
    throw new SlackRequestError(
      'invalid_payload',
      `not an event callback Baton can read: ${issue(parsed.error)}`,
    );
  const payload = parsed.data;
  const classified = classifyEvent(slack, payload);
  if (classified.kind === 'ignored') return ignored(classified.reason);
  const { input } = classified;
  const ref = slackSessionRef(input);
  if (input.needsExistingSession && !(await slack.baton.store.readHead(ref)))
    return ignored('not_in_a_bot_thread');
  const retry = header(headers, 'x-slack-retry-num');
  try {
    // submit dedupes on event_id: a retry of a recorded event commits nothing (it only re-enqueues).
    const result = await slack.baton.submit(ref, {
      text: input.text,
      source: 'slack',
      dedupeKey: `slack:${payload.event_id}`,
      ...(input.user ? { sender: input.user } : {}),
      ...(slack.agent ? { agent: slack.agent } : {}),
      metadata: originMetadata({
        channel: input.channel,
        thread: input.thread,
        ts: input.ts,
        user: input.user ?? null,
        kind: input.kind,
      }),
    });
    if (retry !== undefined) {
      slack.baton.logger.info('Slack retried an event', {
        eventId: payload.event_id,
        retry,
        duplicate: result.duplicate,
      });
    }
    return jsonResponse(200, { ok: true, duplicate: result.duplicate });
  } catch (error) {
    // A message the agent refuses (too long, empty) is still a delivered event: 200 so Slack stops.
    if (isBatonError(error) && error.status >= 400 && error.status < 500) {
      slack.baton.logger.warn('Slack message not accepted', { eventId: payload.event_id, code: error.code });
      return jsonResponse(200, { ok: false, error: error.code });
    }
    throw error;
  }
}

function detectKind(body: string): SlackRequestKind {
  if (body.trimStart().startsWith('{')) return 'events';
  const form = new URLSearchParams(body);
  if (form.has('payload')) return 'interactivity';
  if (form.has('command') || form.has('ssl_check')) return 'commands';
  throw new SlackRequestError(
    'unrecognized_body',
    'the body is neither an Events API, interactivity nor slash command request',
  );
}

function decode(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new SlackRequestError('invalid_encoding', 'the body is not valid UTF-8');
  }
}
