import { unmarshall } from '@aws-sdk/util-dynamodb';
import { EventTooLargeError, jsonBytes, LEGACY_INCARNATION } from '@baton/core';
import { describe, expect, it } from 'vitest';
import { planCommit } from './commit-plan.js';
import { ITEM_BYTES, itemBytes, MAX_EVENT_BYTES, TRANSACTION_BYTES } from './limits.js';
import { chunkCapacity, eventItems } from './records.js';
import { resolveRetention } from './retention.js';
import { appendRequest, inputEvent } from './test-sessions.js';

const REF = { tenant: 'acme', sessionId: 's' };
const OPTIONS = { tableName: 'baton', nowMs: 1_700_000_000_500, retention: resolveRetention({}) };

describe('planCommit', () => {
  it('puts the head first, then the events, then the dedupe record', () => {
    const plan = planCommit(appendRequest(REF, null, ['a', 'b'], { dedupeKey: 'k' }), OPTIONS);
    expect(plan.roles).toEqual([
      { kind: 'head' },
      { kind: 'event', seq: 1 },
      { kind: 'event', seq: 2 },
      { kind: 'dedupe' },
    ]);
    expect(plan.input.TransactItems?.map((action) => unmarshall(action.Put!.Item!).sk)).toEqual([
      'H',
      'E#0000000000000001',
      'E#0000000000000002',
      expect.stringMatching(/^D#/),
    ]);
  });

  it('conditions a creation on an absent or expired head, and returns the old dedupe record only', () => {
    const [head, event, dedupe] = planCommit(appendRequest(REF, null, ['a'], { dedupeKey: 'k' }), OPTIONS)
      .input.TransactItems!;
    expect(head?.Put?.ConditionExpression).toBe('attribute_not_exists(#pk) OR #exp <= :now');
    expect(head?.Put?.ExpressionAttributeValues?.[':now']).toEqual({ N: '1700000000' });
    expect(event?.Put?.ReturnValuesOnConditionCheckFailure).toBeUndefined();
    expect(dedupe?.Put?.ReturnValuesOnConditionCheckFailure).toBe('ALL_OLD');
  });

  it('conditions an update on the expected version and incarnation of a live head', () => {
    const created = appendRequest(REF, null, ['a']).head;
    const [head] = planCommit(appendRequest(REF, created, ['b']), OPTIONS).input.TransactItems!;
    expect(head?.Put?.ConditionExpression).toBe(
      '#version = :expected AND #inc = :inc AND (attribute_not_exists(#exp) OR #exp > :now)',
    );
    expect(head?.Put?.ExpressionAttributeValues?.[':expected']).toEqual({ N: '1' });
    expect(head?.Put?.ExpressionAttributeValues?.[':inc']).toEqual({ S: created.incarnation });
    expect(unmarshall(head!.Put!.Item!).incarnation).toBe(created.incarnation);
  });

  it('lets a head stored before incarnations (no attribute) match a head without one', () => {
    const { incarnation: _none, ...legacy } = appendRequest(REF, null, ['a']).head;
    const [head] = planCommit(appendRequest(REF, legacy, ['b']), OPTIONS).input.TransactItems!;
    expect(head?.Put?.ConditionExpression).toBe(
      '#version = :expected AND (attribute_not_exists(#inc) OR #inc = :inc) AND (attribute_not_exists(#exp) OR #exp > :now)',
    );
    expect(head?.Put?.ExpressionAttributeValues?.[':inc']).toEqual({ S: LEGACY_INCARNATION });
    expect(unmarshall(head!.Put!.Item!).incarnation).toBeUndefined();
  });

  it('stamps the head with the session TTL, events far later, the dedupe record no later than the head', () => {
    const request = appendRequest(REF, null, ['a'], { dedupeKey: 'k', at: OPTIONS.nowMs });
    const retention = resolveRetention({ ttlSeconds: 60, maxLifetimeSeconds: 1000 });
    const plan = planCommit(request, { ...OPTIONS, retention });
    const stamps = plan.input.TransactItems!.map((action) => unmarshall(action.Put!.Item!).expiresAt);
    expect(stamps).toEqual([1_700_000_060, 1_700_001_060, 1_700_000_060]);
  });

  it('caps the head at the session lifetime and expires dedupe records after 7 days without a TTL', () => {
    const old = appendRequest(REF, null, ['a'], { at: OPTIONS.nowMs - 990_000 });
    const retention = resolveRetention({ ttlSeconds: 60, maxLifetimeSeconds: 1000 });
    const [head] = planCommit(
      { ...old, head: { ...old.head, updatedAt: OPTIONS.nowMs } },
      { ...OPTIONS, retention },
    ).input.TransactItems!;
    expect(unmarshall(head!.Put!.Item!).expiresAt).toBe(1_700_000_010);

    const plan = planCommit(appendRequest(REF, null, ['a'], { dedupeKey: 'k' }), OPTIONS);
    const stamps = plan.input.TransactItems!.map((action) => unmarshall(action.Put!.Item!).expiresAt);
    expect(stamps).toEqual([undefined, undefined, 1_700_000_000 + 7 * 86_400]);
  });

  it('throws EventTooLargeError for an event over MAX_EVENT_BYTES', () => {
    const request = appendRequest(REF, null, ['x'.repeat(MAX_EVENT_BYTES)]);
    expect(() => planCommit(request, OPTIONS)).toThrow(EventTooLargeError);
  });

  it('fits an event of MAX_EVENT_BYTES with a head and a dedupe record of a full item each', () => {
    const base = appendRequest(REF, null, [], { dedupeKey: 'k' });
    const event = inputEvent(1, '');
    const big = { ...event, text: 'x'.repeat(MAX_EVENT_BYTES - jsonBytes(event)) };
    const plan = planCommit(
      {
        ...base,
        head: { ...base.head, seq: 1, toolState: { notes: 'n'.repeat(ITEM_BYTES - 2_000) } },
        events: [big],
        dedupe: { dedupeKey: 'k', result: 'r'.repeat(ITEM_BYTES - 2_000) },
      },
      OPTIONS,
    );
    expect(plan.roles).toHaveLength(1 + 8 + 1);
    expect(plan.bytes).toBeLessThan(TRANSACTION_BYTES);
  });
});

describe('eventItems', () => {
  it('keeps every chunk item within the item limit', () => {
    const pk = `acme#${'é'.repeat(256)}`;
    const event = { ...inputEvent(7, ''), text: '🚀'.repeat(300_000) };
    const items = eventItems(7, JSON.stringify(event), { pk, expiresAt: 1_700_000_000 });
    expect(items.length).toBeGreaterThan(2);
    for (const item of items) expect(itemBytes(item)).toBeLessThanOrEqual(ITEM_BYTES);
    expect(items[0]?.chunks).toBe(items.length);
    expect(chunkCapacity(pk, 7)).toBeGreaterThan(400_000);
  });
});
