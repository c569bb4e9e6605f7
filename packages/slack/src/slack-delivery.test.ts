import { defineAgent, type Model } from '@baton/core';
import { createExampleAgent, offlineDemoModel } from '@baton/example-agent';
import { afterEach, describe, expect, it } from 'vitest';
import { deliverSlackReplies } from './slack-delivery.js';
import { MESSAGES } from './slack-messages.js';
import { slackSessionRef } from './slack-session.js';
import { type SlackHarness, startSlackHarness } from './testing/slack-harness.js';
import { mentionBody } from './testing/slack-payloads.js';

const TS = '1767225600.000100';
const ref = slackSessionRef({ teamId: 'T0TEAM', channel: 'C0CHAN', thread: TS });

function fixedModel(text: string): Model {
  return {
    provider: 'fixed',
    modelId: 'fixed',
    generate: async () => ({
      text,
      toolCalls: [],
      usage: { inputTokens: 1, outputTokens: 1 },
      stopReason: 'end',
      model: 'fixed',
    }),
  };
}

describe('deliverSlackReplies', () => {
  let h: SlackHarness;

  afterEach(async () => {
    await h.close();
  });

  async function start(model: Model = offlineDemoModel(), channel = {}): Promise<void> {
    h = await startSlackHarness({
      agents: [
        model.provider === 'offline-demo'
          ? createExampleAgent(model)
          : defineAgent({ name: 'fixed', instructions: 'x', model }),
      ],
      channel,
    });
    await h.request(mentionBody({ eventId: 'Ev1', text: 'hello', ts: TS }));
  }

  /** Runs the session without delivering, as if the worker died right after the run. */
  async function runOnly(): Promise<void> {
    h.queue.messages.length = 0;
    await h.baton.run(ref, { deadline: h.clock.now() + 600_000 });
  }

  it('waits for Retry-After and then posts once when Slack rate limits the post', async () => {
    await start();
    await runOnly();
    h.api.failNext('chat.postMessage', { error: 'ratelimited', retryAfterSeconds: 7 });
    const report = await deliverSlackReplies(h.slack, ref);
    expect(report).toMatchObject({ recorded: 1, sent: 0, pending: 1, retryAfterMs: 7_000 });
    expect(h.queue.messages).toEqual([
      { message: expect.objectContaining({ reason: 'retry', sessionId: ref.sessionId }), delayMs: 7_000 },
    ]);
    await h.drain();
    const posted = h.api.callsTo('chat.postMessage').filter((call) => !call.error);
    expect(posted).toHaveLength(1);
    expect(h.api.thread('C0CHAN', TS).map((m) => m.text)).toEqual([
      expect.stringContaining('You said: hello'),
    ]);
  });

  it('marks the message failed and does not retry when the channel is gone', async () => {
    await start();
    await runOnly();
    h.api.failNext('chat.postMessage', { error: 'channel_not_found' });
    expect(await deliverSlackReplies(h.slack, ref)).toEqual({ recorded: 1, sent: 0, failed: 1, pending: 0 });
    expect(h.queue.messages).toEqual([]);
    const sent = (await h.baton.events(ref)).find((event) => event.kind === 'outbox_sent');
    expect(sent).toMatchObject({ receipt: { error: 'channel_not_found' } });
    expect(await deliverSlackReplies(h.slack, ref)).toEqual({ recorded: 0, sent: 0, failed: 0, pending: 0 });
    expect(h.api.callsTo('chat.postMessage')).toHaveLength(1);
  });

  it('records but sends nothing and comes back later when the deadline is too close', async () => {
    await start();
    const report = await deliverSlackReplies(h.slack, ref, { deadline: h.clock.now() + 100 });
    expect(report).toMatchObject({ recorded: 1, sent: 0, pending: 1 });
    expect(h.api.calls).toEqual([]);
    expect(h.queue.messages.at(-1)!.message.reason).toBe('retry');
  });

  it('finds the message instead of posting again when a post landed but its answer was lost', async () => {
    await start();
    await runOnly();
    h.api.failNext('chat.postMessage', { drop: 'after_applying' });
    expect(await deliverSlackReplies(h.slack, ref)).toMatchObject({ recorded: 1, sent: 0, pending: 1 });
    await h.drain();
    expect(h.api.callsTo('conversations.replies')).toHaveLength(1);
    expect(h.api.thread('C0CHAN', TS)).toHaveLength(1);
    const sent = (await h.baton.events(ref)).find((event) => event.kind === 'outbox_sent');
    expect(sent).toMatchObject({ receipt: { reconciled: true, ts: h.api.messages[0]!.ts } });
  });

  it('throws a non-retryable error and leaves the outbox unsent when the token is revoked', async () => {
    await start();
    await runOnly();
    h.api.failNext('chat.postMessage', { error: 'token_revoked' });
    await expect(deliverSlackReplies(h.slack, ref)).rejects.toMatchObject({
      code: 'slack_delivery_failed',
      retryable: false,
    });
    expect((await h.baton.events(ref)).some((event) => event.kind === 'outbox_sent')).toBe(false);
  });

  it('splits a long answer across the placeholder and follow-up messages', async () => {
    const long = Array.from({ length: 60 }, (_, i) => `Paragraph ${i}: ${'words '.repeat(30)}`).join('\n\n');
    await start(fixedModel(long), { maxMessageChars: 3_000 });
    await h.drain();
    const thread = h.api.thread('C0CHAN', TS);
    expect(thread.length).toBeGreaterThan(3);
    expect(thread.every((m) => m.text.length <= 3_000)).toBe(true);
    expect(thread.map((m) => m.text).join('')).toBe(long);
    expect(thread[0]!.edits).toBe(1);
  });

  it('posts each message once when two invocations deliver at the same time', async () => {
    await start();
    await runOnly();
    const [a, b] = await Promise.all([deliverSlackReplies(h.slack, ref), deliverSlackReplies(h.slack, ref)]);
    expect(a.sent + b.sent).toBe(1);
    await h.drain();
    expect(h.api.callsTo('chat.postMessage')).toHaveLength(1);
    expect(h.api.thread('C0CHAN', TS)).toHaveLength(1);
  });

  it('keeps the placeholder when the run continues in another invocation', async () => {
    await start();
    expect((await deliverSlackReplies(h.slack, ref)).sent).toBe(1);
    expect(h.api.messages[0]!.text).toBe(MESSAGES.working);
    expect(await deliverSlackReplies(h.slack, ref)).toEqual({
      recorded: 0,
      sent: 0,
      failed: 0,
      pending: 0,
      // The placeholder a run's progress rewrites.
      working: { channel: 'C0CHAN', ts: h.api.messages[0]!.ts },
    });
  });
});
