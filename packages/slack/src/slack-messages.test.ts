import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  APPROVE_ACTION,
  approvalMessage,
  escapeMrkdwn,
  REJECT_ACTION,
  splitMessage,
} from './slack-messages.js';

describe('splitMessage', () => {
  it('keeps a short text in one message', () => {
    expect(splitMessage('hello', 100)).toEqual(['hello']);
    expect(splitMessage('', 100)).toEqual(['']);
  });

  it('splits at paragraph breaks when a paragraph ends in the second half', () => {
    const text = `${'a'.repeat(70)}\n\n${'b'.repeat(70)}`;
    expect(splitMessage(text, 100)).toEqual([`${'a'.repeat(70)}\n\n`, 'b'.repeat(70)]);
  });

  it('never cuts an escaped entity or a surrogate pair', () => {
    const entity = splitMessage(`${'x'.repeat(98)}&amp;yy`, 100);
    expect(entity[0]).toBe('x'.repeat(98));
    const emoji = splitMessage(`${'x'.repeat(99)}😀yy`, 100);
    expect(emoji[0]).toBe('x'.repeat(99));
    expect(emoji[1]).toBe('😀yy');
  });

  it('loses nothing and respects the limit when texts are random', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 3000 }),
        fc.integer({ min: 10, max: 500 }),
        (raw, max) => {
          const text = escapeMrkdwn(raw);
          const parts = splitMessage(text, max);
          expect(parts.join('')).toBe(text);
          for (const part of parts) expect(part.length).toBeLessThanOrEqual(max);
          for (const part of parts.slice(0, -1)) expect(part.length).toBeGreaterThan(0);
        },
      ),
    );
  });
});

describe('escapeMrkdwn', () => {
  it('escapes the characters that would make mentions and links when a model writes them', () => {
    expect(escapeMrkdwn('<!channel> & <@U1>')).toBe('&lt;!channel&gt; &amp; &lt;@U1&gt;');
  });
});

describe('approvalMessage', () => {
  const view = {
    tenant: 'T1',
    sessionId: 'slack:T1:C1:1.2',
    callId: 'call_1',
    tool: 'send_email',
    arguments: '{"to":"a@b.c"}',
    unknownOutcome: false,
  };

  it('carries the call in Approve and Reject buttons when undecided', () => {
    const message = approvalMessage(view);
    const actions = message.blocks!.find((block) => block.type === 'actions') as {
      elements: { action_id: string; value: string }[];
    };
    expect(actions.elements.map((e) => e.action_id)).toEqual([APPROVE_ACTION, REJECT_ACTION]);
    expect(JSON.parse(actions.elements[0]!.value)).toEqual({
      v: 1,
      t: 'T1',
      s: 'slack:T1:C1:1.2',
      c: 'call_1',
    });
    expect(message.text).toBe('Approval needed: send_email');
  });

  it('shows the decision without buttons when decided', () => {
    const message = approvalMessage({
      ...view,
      decision: { approved: false, by: 'U0BOSS', reason: 'not now' },
    });
    expect(message.blocks!.some((block) => block.type === 'actions')).toBe(false);
    expect(message.text).toBe(':x: *Rejected* by <@U0BOSS>: not now — `send_email`');
  });

  it('cuts long arguments with a visible note', () => {
    const message = approvalMessage({ ...view, arguments: JSON.stringify({ body: 'z'.repeat(5000) }) });
    const text = (message.blocks![0] as { text: { text: string } }).text.text;
    expect(text.length).toBeLessThan(3000);
    expect(text).toMatch(/more characters not shown/);
  });
});
