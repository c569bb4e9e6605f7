import { defineAgent } from '@baton/core';
import { DeltaGate, reply, StreamingScriptedModel } from '@baton/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MESSAGES } from './slack-messages.js';
import { slackSessionRef } from './slack-session.js';
import { type SlackHarness, startSlackHarness } from './testing/slack-harness.js';
import { mentionBody } from './testing/slack-payloads.js';

const THREAD = '1767225600.000100';
const ref = slackSessionRef({ teamId: 'T0TEAM', channel: 'C0CHAN', thread: THREAD });
const ANSWER = 'Hello there, friend. The answer comes word by word.';
const EVERY_MS = 1_500;
/** Bounds the waits for what the run does in the background; nothing sleeps for a fixed time. */
const POLL = { timeout: 10_000, interval: 5 };

describe('Slack progress while the model streams', () => {
  let h: SlackHarness;
  let gate: DeltaGate;

  beforeEach(async () => {
    gate = new DeltaGate();
    const model = new StreamingScriptedModel(() => reply(ANSWER), { pace: () => gate.next() });
    h = await startSlackHarness({
      agents: [defineAgent({ name: 'writer', instructions: 'Answer.', model })],
      channel: { progressEveryMs: EVERY_MS },
    });
  });

  afterEach(async () => {
    gate.open();
    await h.close();
  });

  const updates = () => h.api.callsTo('chat.update').map((call) => String(call.args.text));
  const placeholder = () => h.api.thread('C0CHAN', THREAD)[0]!;

  it('rewrites the placeholder with the text so far at most once per interval, then with the answer', async () => {
    await h.request(mentionBody({ eventId: 'Ev1', text: 'hello', ts: THREAD }));
    const drained = h.drain();
    // Three words stream while the clock stands still: one update, with the first word.
    gate.release(3);
    await expect.poll(() => gate.waiting, POLL).toBe(1);
    await expect.poll(updates, POLL).toEqual(['Hello …']);
    expect(placeholder().text).toBe('Hello …');
    const session = await h.baton.session(ref);
    expect(session.status).toBe('running');
    expect(session.lastReply).toBeFalsy();

    // A word before the interval is over: still one update.
    h.clock.advance(EVERY_MS - 1);
    gate.release(1);
    await expect.poll(() => gate.passed, POLL).toBe(4);
    await expect.poll(() => gate.waiting, POLL).toBe(1);
    expect(updates()).toHaveLength(1);

    // The interval is over: the next word brings the text so far.
    h.clock.advance(1);
    gate.release(1);
    await expect.poll(updates, POLL).toEqual(['Hello …', 'Hello there, friend. The answer …']);

    gate.open();
    const [result] = await drained;
    expect(result).toMatchObject({ kind: 'done', outcome: 'finished' });
    // The delivery after the run writes the committed answer last; no progress update after it.
    expect(updates()).toHaveLength(3);
    expect(updates().at(-1)).toBe(ANSWER);
    expect(h.api.thread('C0CHAN', THREAD).map((message) => message.text)).toEqual([ANSWER]);
    expect(h.api.callsTo('chat.postMessage')).toHaveLength(1);
  });

  it('answers as usual when a progress update fails', async () => {
    h.api.failNext('chat.update', { error: 'ratelimited', retryAfterSeconds: 30 });
    await h.request(mentionBody({ eventId: 'Ev1', text: 'hello', ts: THREAD }));
    const drained = h.drain();
    gate.release(1);
    await expect.poll(() => h.api.callsTo('chat.update').length, POLL).toBe(1);
    expect(h.api.callsTo('chat.update')[0]!.error).toBe('ratelimited');
    expect(placeholder().text).toBe(MESSAGES.working);
    // The rate limit's Retry-After holds later updates back even once the interval is over.
    h.clock.advance(EVERY_MS);
    gate.open();
    const [result] = await drained;
    expect(result).toMatchObject({ kind: 'done', outcome: 'finished' });
    expect(updates()).toEqual(['Hello …', ANSWER]);
    expect(placeholder().text).toBe(ANSWER);
    expect(h.queue.messages).toHaveLength(0);
  });
});
