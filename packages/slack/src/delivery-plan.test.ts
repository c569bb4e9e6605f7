import { type EventBody, type SessionEvent, sessionRef } from '@baton/core';
import { describe, expect, it } from 'vitest';
import { planSlackMessages } from './delivery-plan.js';
import { MESSAGES } from './slack-messages.js';
import { originMetadata } from './slack-metadata.js';

const ref = sessionRef('T1', 'slack:T1:C1:100.1');
const origin = originMetadata({ channel: 'C1', thread: '100.1', ts: '100.1', user: 'U1', kind: 'mention' });

/** Numbers the bodies 1, 2, 3, ... like the log does. */
function log(...bodies: EventBody[]): SessionEvent[] {
  return bodies.map((body, index) => ({ ...body, v: 2, seq: index + 1, at: 0 }) as SessionEvent);
}

const input = (text: string): EventBody => ({ kind: 'input', text, source: 'slack', metadata: origin });
const reply = (text: string, contextThrough?: number): EventBody => ({
  kind: 'model_response',
  text,
  toolCalls: [],
  usage: { inputTokens: 1, outputTokens: 1 },
  stopReason: 'end',
  provider: 'p',
  model: 'm',
  latencyMs: 1,
  ...(contextThrough !== undefined ? { contextThrough } : {}),
});
const finished = (text: string): EventBody => ({ kind: 'run_finished', reason: 'completed', text });

function texts(events: SessionEvent[], maxChars = 3900): Record<string, string> {
  return Object.fromEntries(
    planSlackMessages(events, ref, { maxChars }).map((m) => [m.slot, m.content.text]),
  );
}

describe('planSlackMessages', () => {
  it('shows a placeholder under each input until it is answered', () => {
    expect(texts(log(input('a'), input('b')))).toEqual({
      'in:1': MESSAGES.working,
      'in:2': MESSAGES.working,
    });
  });

  it('answers in the last placeholder and points the earlier ones below when one response answers several inputs', () => {
    expect(texts(log(input('a'), input('b'), reply('both', 2), finished('both')))).toEqual({
      'in:1': MESSAGES.answeredBelow,
      'in:2': 'both',
    });
  });

  it('answers a scheduled input in the thread of the conversation that set it', () => {
    const reminder: EventBody = { kind: 'input', text: 'Reminder: stretch', source: 'schedule' };
    const events = log(input('remind me'), reply('Set.'), finished('Set.'), reminder, reply('Stretch now!'));
    const planned = planSlackMessages(events, ref, { maxChars: 3900 });
    expect(planned.find((message) => message.slot === 'in:4')).toEqual({
      slot: 'in:4',
      target: { channel: 'C1', thread: '100.1' },
      content: { text: 'Stretch now!' },
    });
    // Without a Slack input before it there is nowhere to answer: the answer stays in the log.
    expect(texts(log(reminder, reply('Stretch now!')))).toEqual({});
  });

  it('answers input that arrived during a model call with the next response', () => {
    const events = log(input('a'), input('b'), reply('to a', 1), reply('to b', 3), finished('to b'));
    expect(texts(events)).toEqual({ 'in:1': 'to a', 'in:2': 'to b' });
  });

  it('splits a long answer into the placeholder and further messages', () => {
    const long = `${'x'.repeat(150)} ${'y'.repeat(150)}`;
    expect(texts(log(input('a'), reply(long, 1), finished(long)), 200)).toEqual({
      'in:1': `${'x'.repeat(150)} `,
      'a:2:1': 'y'.repeat(150),
    });
  });

  it('reports the error code when the run failed', () => {
    const events = log(
      input('a'),
      { kind: 'error', code: 'model_error', message: 'boom', retryable: false },
      { kind: 'run_finished', reason: 'failed', text: '' },
    );
    expect(texts(events)).toEqual({ 'in:1': MESSAGES.failed('model_error') });
  });

  it('asks for approval, shows the decision and answers below it when a tool needs approval', () => {
    const call = { callId: 'c1', name: 'send_email', arguments: '{"to":"a@b.c"}' };
    const askedFor = log(
      input('email'),
      {
        ...(reply('', 1) as Extract<EventBody, { kind: 'model_response' }>),
        toolCalls: [call],
        stopReason: 'tool_calls',
      },
      { kind: 'interrupt', reason: 'approval', callIds: ['c1'] },
    );
    const waiting = texts(askedFor);
    expect(waiting).toEqual({ 'in:1': MESSAGES.waitingForApproval, 'ap:c1': 'Approval needed: send_email' });
    const done = log(
      ...askedFor.map(({ v: _v, seq: _seq, at: _at, ...body }) => body as EventBody),
      { kind: 'decision', callId: 'c1', approved: true, by: 'U0BOSS' },
      {
        kind: 'tool_result',
        callId: 'c1',
        name: 'send_email',
        outcome: 'ok',
        output: { sent: true },
        durationMs: 1,
      },
      reply('sent', 5),
      finished('sent'),
    );
    expect(texts(done)).toEqual({
      'in:1': MESSAGES.answeredBelow,
      'ap:c1': ':white_check_mark: *Approved* by <@U0BOSS> — `send_email`',
      'a:6:0': 'sent',
    });
  });

  it('plans nothing for input that did not come from Slack', () => {
    expect(
      texts(log({ kind: 'input', text: 'hi', source: 'http' }, reply('hello', 1), finished('hello'))),
    ).toEqual({});
  });

  it('escapes mrkdwn in answers so a reply cannot ping the channel', () => {
    expect(texts(log(input('a'), reply('<!channel> hi', 1)))['in:1']).toBe('&lt;!channel&gt; hi');
  });
});
