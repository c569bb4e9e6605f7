import { describe, expect, inject, it } from 'vitest';
import { sweepScaling } from '../../bench/sweep/sweep-bench.js';
import { DYNAMODB, SQLITE, type SweepStoreKind } from '../../bench/sweep/sweep-stores.js';

/**
 * Issue 16 item 11: a sweep's reads follow the sessions with pending work, not the idle ones. The
 * benchmark's own fixture and measurement, by counts only (never time), on SQLite and DynamoDB Local.
 */
describe.each([
  { kind: SQLITE as SweepStoreKind, label: SQLITE.label, requests: 1 },
  { kind: DYNAMODB as SweepStoreKind, label: DYNAMODB.label, requests: 16 },
])('one sweep on $label', ({ kind, requests }) => {
  it('reads the same with 10 pending sessions among 100 or 2,000 idle ones', async () => {
    const endpoints = { dynamodb: inject('dynamodbEndpoint') };
    const rows = await sweepScaling(kind, endpoints, { idleCounts: [100, 2_000], byStatus: false });
    for (const row of rows) {
      expect(row.enqueued).toBe(10);
      expect(row.sweep).toEqual({ calls: 1, requests, items: 10 });
    }
  });
});
