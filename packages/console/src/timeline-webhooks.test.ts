import type { SessionEvent } from '@baton/core';
import { describe, expect, it } from 'vitest';
import { timelineItem } from './timeline-html.js';

const AT = Date.UTC(2026, 11, 6, 9);

function event(body: Record<string, unknown>, seq: number): SessionEvent {
  return { ...body, v: 3, seq, at: AT } as SessionEvent;
}

describe('timelineItem for webhook deliveries', () => {
  it('shows the entry, each failed attempt with its error and next time, and the final mark', () => {
    const id = 'evt_x_3_wh_1';
    const items = [
      event({ kind: 'outbox', messageId: id, channel: 'webhook', payload: { type: 'run.finished' } }, 4),
      event(
        {
          kind: 'outbox_attempt',
          messageId: id,
          attempt: 1,
          status: 500,
          error: 'the receiver answered <500>',
          retryAt: AT + 1_000,
        },
        5,
      ),
      event({ kind: 'outbox_sent', messageId: id, receipt: { status: 200, attempt: 2 } }, 6),
    ].map((item) => String(timelineItem(item, new Map())));
    expect(items[0]).toContain('webhook');
    expect(items[1]).toContain('Delivery attempt 1 failed');
    expect(items[1]).toContain('the receiver answered &lt;500&gt;');
    expect(items[1]).toContain('2026-12-06T09:00:01.000Z');
    expect(items[1]).toContain('step-problem');
    expect(items[2]).toContain('&quot;attempt&quot;: 2');
  });
});
