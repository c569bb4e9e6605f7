import { createExampleAgent, offlineDemoModel } from '@baton/example-agent';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handleSlackHttp } from './slack-http.js';
import { slackSessionRef } from './slack-session.js';
import { slackSignature } from './slack-signature.js';
import { signedSlackRequest } from './testing/sign-slack-request.js';
import { type SlackHarness, startSlackHarness } from './testing/slack-harness.js';
import { eventCallbackBody, mentionBody, messageBody } from './testing/slack-payloads.js';

const TS = '1767225600.000100';
const ref = slackSessionRef({ teamId: 'T0TEAM', channel: 'C0CHAN', thread: TS });

describe('handleSlackHttp', () => {
  let h: SlackHarness;

  beforeEach(async () => {
    h = await startSlackHarness({
      agents: [createExampleAgent(offlineDemoModel())],
      channel: { maxBodyBytes: 64 * 1024 },
    });
  });

  afterEach(async () => {
    await h.close();
  });

  async function nothingRecorded(): Promise<void> {
    expect(await h.store.list({})).toEqual({ sessions: [] });
    expect(h.queue.messages).toEqual([]);
  }

  function body(response: { body: string }): Record<string, unknown> {
    return JSON.parse(response.body) as Record<string, unknown>;
  }

  it('records a signed mention and enqueues its run when the request is valid', async () => {
    const response = await h.request(mentionBody({ eventId: 'Ev1', text: 'hi', ts: TS }));
    expect(response).toMatchObject({ status: 200, headers: { 'content-type': 'application/json' } });
    expect(body(response)).toEqual({ ok: true, duplicate: false });
    const [input] = await h.baton.events(ref);
    expect(input).toMatchObject({
      kind: 'input',
      text: 'hi',
      source: 'slack',
      sender: 'UALICE',
      dedupeKey: 'slack:Ev1',
    });
    expect(h.queue.messages.map((m) => m.message.sessionId)).toEqual([ref.sessionId]);
  });

  it('answers 401 and records nothing when the request is unsigned, forged, stale, from the future or altered', async () => {
    const raw = mentionBody({ eventId: 'Ev1', text: 'hi', ts: TS });
    const now = h.clock.now();
    const signed = signedSlackRequest(raw, { secret: h.secret, now });
    const cases = [
      { headers: {}, rawBody: raw },
      signedSlackRequest(raw, { secret: 'forged-secret', now }),
      signedSlackRequest(raw, { secret: h.secret, now: now - 6 * 60_000 }),
      signedSlackRequest(raw, { secret: h.secret, now: now + 6 * 60_000 }),
      { ...signed, rawBody: raw.replace('hi', 'ho') },
    ];
    const statuses = [];
    for (const request of cases) statuses.push((await handleSlackHttp(h.slack, request, now)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    await nothingRecorded();
  });

  it('changes nothing in the session when Slack retries an event already recorded', async () => {
    const raw = mentionBody({ eventId: 'Ev1', text: 'hi', ts: TS });
    await h.request(raw);
    const head = await h.store.readHead(ref);
    for (const retryNum of [1, 2, 3]) {
      const response = await h.request(raw, { retryNum });
      expect(body(response)).toEqual({ ok: true, duplicate: true });
    }
    expect(await h.store.readHead(ref)).toEqual(head);
    expect(await h.baton.events(ref)).toHaveLength(1);
  });

  it('answers the url_verification challenge when Slack checks the URL', async () => {
    const response = await h.request(
      JSON.stringify({
        token: 't',
        challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P',
        type: 'url_verification',
      }),
    );
    expect(response.status).toBe(200);
    expect(body(response)).toEqual({ challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' });
  });

  it('answers 200 to ssl_check when Slack checks the certificate', async () => {
    const response = await h.request('ssl_check=1&token=Jhj5dZrVaK7ZwHHjRyZWjbDl');
    expect(response.status).toBe(200);
    await nothingRecorded();
  });

  it('answers 400 with X-Slack-No-Retry when the JSON or the form is malformed', async () => {
    const responses = [
      await h.request('{"type": "event_callback", "event": ', { kind: 'events' }),
      await h.request('[1,2,3]', { kind: 'events' }),
      await h.request(
        JSON.stringify({ type: 'event_callback', team_id: 'T0TEAM', event: { type: 'app_mention' } }),
      ),
      await h.request('payload=%7Bnot-json', { kind: 'interactivity' }),
      await h.request('command=%2Fbaton&text=hi', { kind: 'commands' }),
      await h.request('just some words'),
    ];
    expect(
      responses.map((r) => [r.status, body(r).error && (body(r).error as { code: string }).code]),
    ).toEqual([
      [400, 'invalid_json'],
      [400, 'invalid_payload'],
      [400, 'invalid_payload'],
      [400, 'invalid_json'],
      [400, 'invalid_command'],
      [400, 'unrecognized_body'],
    ]);
    for (const response of responses) expect(response.headers['x-slack-no-retry']).toBe('1');
    await nothingRecorded();
  });

  it('answers 413 before verifying when the body is oversized', async () => {
    const raw = mentionBody({ eventId: 'Ev1', text: 'x'.repeat(70 * 1024), ts: TS });
    expect((await h.request(raw)).status).toBe(413);
    expect((await handleSlackHttp(h.slack, { headers: {}, rawBody: raw })).status).toBe(413);
    await nothingRecorded();
  });

  it('acknowledges and ignores events when their type is unknown', async () => {
    const unknownEnvelope = await h.request(JSON.stringify({ type: 'brand_new_envelope', token: 't' }));
    const reaction = await h.request(
      eventCallbackBody(
        { type: 'reaction_added', user: 'UALICE', reaction: 'thumbsup', item: {} },
        { eventId: 'Ev9' },
      ),
    );
    expect(body(unknownEnvelope)).toEqual({ ok: true, ignored: 'unsupported_type:brand_new_envelope' });
    expect(body(reaction)).toEqual({ ok: true, ignored: 'unsupported_event:reaction_added' });
    await nothingRecorded();
  });

  it('ignores bot messages, its own messages, edits and deletions when no policy says otherwise', async () => {
    const replies = [
      messageBody({
        eventId: 'Ev2',
        text: 'beep',
        ts: TS,
        channelType: 'im',
        user: 'UOTHERBOT',
        extra: { bot_id: 'B2', subtype: 'bot_message' },
      }),
      messageBody({
        eventId: 'Ev3',
        text: 'my reply',
        ts: TS,
        channelType: 'im',
        user: 'UBOT',
        extra: { bot_id: 'BBOT', app_id: 'A0APP' },
      }),
      messageBody({
        eventId: 'Ev4',
        text: '',
        ts: TS,
        channelType: 'im',
        extra: { subtype: 'message_changed', message: { text: 'new', user: 'UALICE', ts: TS } },
      }),
      messageBody({
        eventId: 'Ev5',
        text: '',
        ts: TS,
        channelType: 'im',
        extra: { subtype: 'message_deleted', previous_message: { text: 'old', user: 'UALICE', ts: TS } },
      }),
      messageBody({
        eventId: 'Ev6',
        text: 'joined',
        ts: TS,
        channelType: 'channel',
        extra: { subtype: 'channel_join' },
      }),
    ];
    const ignored = [];
    for (const raw of replies) ignored.push(body(await h.request(raw)).ignored);
    expect(ignored).toEqual(['bot_message', 'own_message', 'edit', 'deletion', 'subtype:channel_join']);
    await nothingRecorded();
  });

  it('records edits and other bots as input when the policies say so', async () => {
    const h2 = await startSlackHarness({
      agents: [createExampleAgent(offlineDemoModel())],
      channel: { messageChanges: 'as_input', botMessages: 'others' },
    });
    try {
      const edit = messageBody({
        eventId: 'Ev4',
        text: '',
        ts: '1767225700.000001',
        channelType: 'im',
        extra: { subtype: 'message_changed', message: { text: 'new text', user: 'UALICE', ts: TS } },
      });
      const bot = messageBody({
        eventId: 'Ev5',
        text: 'status: green',
        ts: '1767225800.000001',
        channelType: 'im',
        user: 'UOTHER',
        extra: { bot_id: 'B2' },
      });
      const own = messageBody({
        eventId: 'Ev6',
        text: 'mine',
        ts: TS,
        channelType: 'im',
        user: 'UBOT',
        extra: { bot_id: 'BBOT' },
      });
      expect(body(await h2.request(edit))).toEqual({ ok: true, duplicate: false });
      expect(body(await h2.request(bot))).toEqual({ ok: true, duplicate: false });
      expect(body(await h2.request(own))).toEqual({ ok: true, ignored: 'own_message' });
      const dm = slackSessionRef({ teamId: 'T0TEAM', channel: 'C0CHAN', thread: TS });
      expect((await h2.baton.events(dm))[0]).toMatchObject({
        text: '[the user edited a message to] new text',
      });
    } finally {
      await h2.close();
    }
  });

  it('records direct messages and replies in bot threads but not other channel chatter', async () => {
    const dm = await h.request(
      messageBody({ eventId: 'Ev1', text: 'hello', ts: TS, channel: 'D0DM', channelType: 'im' }),
    );
    expect(body(dm)).toEqual({ ok: true, duplicate: false });
    const strangerThread = await h.request(
      messageBody({ eventId: 'Ev2', text: 'lunch?', ts: '1767225900.000001', threadTs: '1767225000.000001' }),
    );
    expect(body(strangerThread)).toEqual({ ok: true, ignored: 'not_in_a_bot_thread' });
    const topLevel = await h.request(
      messageBody({ eventId: 'Ev3', text: 'morning', ts: '1767225901.000001' }),
    );
    expect(body(topLevel)).toEqual({ ok: true, ignored: 'not_addressed_to_the_bot' });
    await h.request(mentionBody({ eventId: 'Ev4', text: 'start', ts: TS }));
    const reply = await h.request(
      messageBody({ eventId: 'Ev5', text: 'and more', ts: '1767225902.000001', threadTs: TS }),
    );
    expect(body(reply)).toEqual({ ok: true, duplicate: false });
    const mentionCopy = await h.request(
      messageBody({ eventId: 'Ev6', text: '<@UBOT> again', ts: '1767225903.000001', threadTs: TS }),
    );
    expect(body(mentionCopy)).toEqual({ ok: true, ignored: 'mention_handled_by_app_mention' });
    expect((await h.baton.events(ref)).map((e) => (e.kind === 'input' ? e.text : e.kind))).toEqual([
      'start',
      'and more',
    ]);
  });

  it('uses the Enterprise Grid organization as the tenant when there is one', async () => {
    await h.request(mentionBody({ eventId: 'Ev1', text: 'hi', ts: TS, enterprise: 'E0ORG' }));
    const [session] = (await h.store.list({})).sessions;
    expect(session).toMatchObject({ tenant: 'E0ORG', sessionId: `slack:T0TEAM:C0CHAN:${TS}` });
  });

  it('answers 200 without recording when the message is too long for the agent', async () => {
    const h2 = await startSlackHarness({ agents: [createExampleAgent(offlineDemoModel())] });
    try {
      const response = await h2.request(mentionBody({ eventId: 'Ev1', text: 'y'.repeat(70 * 1024), ts: TS }));
      expect(response.status).toBe(200);
      expect(body(response)).toEqual({ ok: false, error: 'payload_too_large' });
      expect(await h2.store.list({})).toEqual({ sessions: [] });
    } finally {
      await h2.close();
    }
  });

  it('verifies the exact bytes when the body arrives as a buffer', async () => {
    const raw = mentionBody({ eventId: 'Ev1', text: 'héllo ✓', ts: TS });
    const timestamp = String(Math.floor(h.clock.now() / 1000));
    const response = await handleSlackHttp(h.slack, {
      headers: {
        'X-Slack-Request-Timestamp': [timestamp],
        'X-Slack-Signature': slackSignature(raw, timestamp, h.secret),
      },
      rawBody: new Uint8Array(Buffer.from(raw, 'utf8')),
    });
    expect(response.status).toBe(200);
    expect((await h.baton.events(ref))[0]).toMatchObject({ text: 'héllo ✓' });
  });
});
