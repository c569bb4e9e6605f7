import { describe, expect, it } from 'vitest';
import { type EventBody, SCHEMA_VERSION, type SessionEvent } from '../events.js';
import { newHead } from '../head.js';
import { planCommit } from '../head-commit.js';
import { parseEvents, parseHead } from '../migrate.js';
import { eventRecords, headRecord } from '../record-codec.js';
import { sessionRef } from '../session-ref.js';
import { WEBHOOK_CHANNEL, webhookEntries } from './webhook-outbox.js';

const AT = 1_767_225_600_000;
const ref = sessionRef('acme', 's1');
const target = { id: 'a0', url: 'https://example.com/hook', events: ['run.finished', 'run.failed'] as const };

describe('webhook records', () => {
  it('stores a head with webhooks under a short key and reads it back exactly', () => {
    const head = {
      ...newHead('acme', 's1', 'jobs', AT),
      webhooks: [
        {
          id: 'wh_1',
          url: 'https://example.com/h',
          events: ['run.finished' as const],
          secret: 'whsec_x',
          createdAt: AT,
        },
      ],
    };
    const record = JSON.parse(JSON.stringify(headRecord(head)));
    expect(record.wh).toHaveLength(1);
    expect(parseHead(record)).toEqual(head);
  });

  it('stores outbox_attempt events in the short form and reads them back exactly', () => {
    const events = [
      {
        kind: 'outbox_attempt',
        messageId: 'evt_x_2_a0',
        attempt: 1,
        status: 500,
        error: 'the receiver answered 500',
        retryAt: AT + 1_000,
      },
    ].map((body, index) => ({ ...body, v: SCHEMA_VERSION, seq: index + 1, at: AT }) as SessionEvent);
    const records = JSON.parse(JSON.stringify(eventRecords(events)));
    expect(records[0].k).toBe('oa');
    expect(parseEvents(records)).toEqual(events);
  });

  it('adds one outbox entry per interested webhook in the commit of the event it reports', () => {
    const base = { ...newHead('acme', 's1', 'jobs', AT), version: 3, seq: 4 };
    const bodies: EventBody[] = [
      {
        kind: 'model_response',
        text: 'hi',
        toolCalls: [],
        usage: { inputTokens: 1, outputTokens: 1 },
        stopReason: 'end',
        provider: 'p',
        model: 'm',
        latencyMs: 1,
      },
      { kind: 'run_finished', reason: 'completed', text: 'hi' },
    ];
    const plan = planCommit(ref, base, { events: bodies }, AT, [target]);
    expect(plan.events.map((event) => event.kind)).toEqual(['model_response', 'run_finished', 'outbox']);
    expect(plan.events[2]).toMatchObject({
      seq: 7,
      channel: WEBHOOK_CHANNEL,
      messageId: `evt_${base.incarnation}_6_a0`,
      payload: { webhook: 'a0', type: 'run.finished', seq: 6 },
    });
    expect(plan.head.seq).toBe(7);
    // Without webhooks the commit is exactly what was asked.
    expect(planCommit(ref, base, { events: bodies }, AT).events).toHaveLength(2);
  });

  it('reports approvals, failures and scheduled starts only to the webhooks that asked', () => {
    const all = {
      id: 'wh_all',
      url: 'https://example.com',
      events: ['run.waiting_for_approval', 'run.failed', 'run.scheduled_started'] as const,
    };
    const entries = webhookEntries(
      [
        { kind: 'input', text: 'daily report', source: 'schedule' },
        { kind: 'input', text: 'hello', source: 'http' },
        { kind: 'interrupt', reason: 'approval', callIds: ['c1'] },
        { kind: 'run_finished', reason: 'failed', text: '' },
      ],
      0,
      'inc',
      [target, all],
    );
    expect(
      entries.map((entry) => (entry as unknown as { payload: { type: string; webhook: string } }).payload),
    ).toEqual([
      expect.objectContaining({ type: 'run.scheduled_started', webhook: 'wh_all', seq: 1 }),
      expect.objectContaining({ type: 'run.waiting_for_approval', webhook: 'wh_all', seq: 3 }),
      expect.objectContaining({ type: 'run.failed', webhook: 'a0', seq: 4 }),
      expect.objectContaining({ type: 'run.failed', webhook: 'wh_all', seq: 4 }),
    ]);
  });
});
