import { createHmac } from 'node:crypto';
import { handleSlackHttp, type SlackHttpResponse } from '@baton/slack';
import {
  blockActionsBody,
  eventCallbackBody,
  mentionBody,
  type SlackHarness,
  signedSlackRequest,
  slashCommandBody,
} from '@baton/slack/testing';
import type { Answer, BadInputCase } from './corpus.js';

function answerOf(response: SlackHttpResponse): Answer {
  let code: string | undefined;
  try {
    const body = JSON.parse(response.body) as { error?: string | { code?: string }; ignored?: string };
    code = body.ignored
      ? `ignored:${body.ignored}`
      : typeof body.error === 'string'
        ? body.error
        : body.error?.code;
  } catch {
    code = undefined;
  }
  return { status: response.status, ...(code ? { code } : {}) };
}

/** Hostile Slack requests: unsigned, forged, stale, unreadable, oversized, or deciding what they may not. */
export function slackCases(harness: SlackHarness): BadInputCase[] {
  const now = () => harness.clock.now();
  const signed =
    (body: string, options: { at?: number; contentType?: string } = {}) =>
    async () => {
      const request = signedSlackRequest(body, {
        secret: harness.secret,
        now: options.at ?? now(),
        ...(options.contentType ? { contentType: options.contentType } : {}),
      });
      return answerOf(await handleSlackHttp(harness.slack, request, now()));
    };
  // Bytes that are not UTF-8, signed as Slack would sign them: over the bytes.
  const signedBytes = (bytes: Uint8Array) => async () => {
    const timestamp = String(Math.floor(now() / 1000));
    const hmac = createHmac('sha256', harness.secret).update(`v0:${timestamp}:`).update(bytes).digest('hex');
    const headers = {
      'content-type': 'application/json',
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': `v0=${hmac}`,
    };
    return answerOf(await handleSlackHttp(harness.slack, { headers, rawBody: bytes }, now()));
  };
  const raw = (headers: Record<string, string>, body: string) => async () =>
    answerOf(await handleSlackHttp(harness.slack, { headers, rawBody: body }, now()));
  const mention = mentionBody({ eventId: 'Ev0HOSTILE', text: 'hello', ts: '1767225600.000200' });
  const seconds = String(Math.floor(now() / 1000));
  const click = (value: unknown, team?: string) =>
    signed(
      blockActionsBody({
        actionId: 'baton_approve',
        value: typeof value === 'string' ? value : JSON.stringify(value),
        ...(team ? { team } : {}),
      }),
    );
  const cases: [name: string, expected: { status: number; code: string }, send: () => Promise<Answer>][] = [
    [
      'no signature headers',
      { status: 401, code: 'slack_missing_headers' },
      raw({ 'content-type': 'application/json' }, mention),
    ],
    [
      'a forged signature',
      { status: 401, code: 'slack_bad_signature' },
      raw({ 'x-slack-request-timestamp': seconds, 'x-slack-signature': `v0=${'0'.repeat(64)}` }, mention),
    ],
    [
      'a timestamp ten minutes old',
      { status: 401, code: 'slack_stale_timestamp' },
      signed(mention, { at: now() - 600_000 }),
    ],
    [
      'a timestamp ten minutes ahead',
      { status: 401, code: 'slack_stale_timestamp' },
      signed(mention, { at: now() + 600_000 }),
    ],
    [
      'a timestamp that is not a number',
      { status: 401, code: 'slack_malformed_headers' },
      raw({ 'x-slack-request-timestamp': 'soon', 'x-slack-signature': 'v0=00' }, mention),
    ],
    ['signed malformed JSON', { status: 400, code: 'invalid_json' }, signed('{"type":"event_callback",')],
    ['a signed JSON array', { status: 400, code: 'unrecognized_body' }, signed('[1,2,3]')],
    [
      'a signed JSON object of an unknown type',
      { status: 200, code: 'ignored:unsupported_type:teleport' },
      signed('{"type":"teleport","token":"x"}'),
    ],
    [
      'an event callback without event_id',
      { status: 400, code: 'invalid_payload' },
      signed(JSON.stringify({ ...JSON.parse(mention), event_id: undefined })),
    ],
    [
      'url_verification without a challenge',
      { status: 400, code: 'invalid_payload' },
      signed('{"type":"url_verification"}'),
    ],
    [
      'a body over 512 KiB',
      { status: 413, code: 'payload_too_large' },
      signed(eventCallbackBody({ type: 'app_mention', text: 'x'.repeat(600_000) }, { eventId: 'Ev0BIG' })),
    ],
    [
      'bytes that are not UTF-8',
      { status: 400, code: 'invalid_encoding' },
      signedBytes(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])),
    ],
    [
      'a form that is neither interactivity nor a command',
      { status: 400, code: 'unrecognized_body' },
      signed('foo=bar', { contentType: 'application/x-www-form-urlencoded' }),
    ],
    [
      'an interactivity payload that is not JSON',
      { status: 400, code: 'invalid_json' },
      signed('payload=%7Bnot-json', { contentType: 'application/x-www-form-urlencoded' }),
    ],
    [
      'a button whose value is not JSON',
      { status: 400, code: 'invalid_payload' },
      click('approve-everything'),
    ],
    [
      'a button of another workspace',
      { status: 403, code: 'forbidden' },
      click({ v: 1, t: 'T0OTHER', s: 'slack:T0OTHER:C0CHAN:1.2', c: 'mail-ana' }),
    ],
    [
      'a button aimed at a session outside Slack',
      { status: 403, code: 'forbidden' },
      click({ v: 1, t: 'T0TEAM', s: 'victim', c: 'mail-ana' }),
    ],
    [
      'a mention longer than the agent accepts',
      { status: 200, code: 'payload_too_large' },
      signed(mentionBody({ eventId: 'Ev0LONG', text: 'y'.repeat(70_000), ts: '1767225600.000300' })),
    ],
  ];
  return cases.map(([name, expected, send]) => ({ entry: 'slack', name, expected, send }));
}

/**
 * A signed `/baton reset` replayed inside the signature's 5-minute window. `prime` asks a question
 * in a channel, resets it with the request kept for the replay, and asks again; the replay must be
 * answered without acting, so the second conversation survives it.
 */
export function slackReplayCase(harness: SlackHarness): { prime(): Promise<void>; replay: BadInputCase } {
  const channel = 'C0REPLAY';
  const reset = signedSlackRequest(slashCommandBody({ text: 'reset', channel, triggerId: 'replay-reset' }), {
    secret: harness.secret,
    now: harness.clock.now(),
  });
  const command = (text: string, triggerId: string) =>
    harness.request(slashCommandBody({ text, channel, triggerId }), { kind: 'commands' });
  return {
    async prime() {
      const asked = await command('ask first question', 'replay-ask-1');
      const once = await handleSlackHttp(harness.slack, { ...reset, kind: 'commands' }, harness.clock.now());
      const again = await command('ask second question', 'replay-ask-2');
      for (const response of [asked, once, again])
        if (response.status !== 200)
          throw new Error(`priming the Slack replay got ${response.status} ${response.body}`);
    },
    replay: {
      entry: 'slack',
      name: 'a signed /baton reset replayed within 5 minutes',
      expected: { status: 200 },
      send: async () =>
        answerOf(await handleSlackHttp(harness.slack, { ...reset, kind: 'commands' }, harness.clock.now())),
    },
  };
}
