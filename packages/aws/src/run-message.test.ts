import type { SQSRecord } from 'aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRunRecord } from './run-message.js';
import { sqsBatchFixture } from './test-support/fixtures.js';

function record(body: string, attributes: SQSRecord['messageAttributes'] = {}) {
  return { body, messageAttributes: attributes };
}

describe('parseRunRecord', () => {
  it('reads the run message and its session when the body is one', () => {
    const [first] = sqsBatchFixture().Records;
    expect(parseRunRecord(first!)).toEqual({
      ok: true,
      message: {
        v: 1,
        tenant: 'acme',
        sessionId: 'chat-1',
        reason: 'input',
        dedupeKey: 'input:acme/chat-1:1',
      },
      ref: { tenant: 'acme', sessionId: 'chat-1' },
      notBefore: undefined,
    });
  });

  it('says why when the body is not JSON, not a run message, or names no valid session', () => {
    expect(parseRunRecord(record('{not json'))).toEqual({ ok: false, reason: 'the body is not JSON' });
    const wrongVersion = parseRunRecord(
      record(JSON.stringify({ v: 2, tenant: 'acme', sessionId: 's', reason: 'input', dedupeKey: 'k' })),
    );
    expect(wrongVersion).toMatchObject({ ok: false, reason: expect.stringContaining('v:') });
    const badTenant = parseRunRecord(
      record(JSON.stringify({ v: 1, tenant: 'a b', sessionId: 's', reason: 'input', dedupeKey: 'k' })),
    );
    expect(badTenant).toMatchObject({ ok: false, reason: expect.stringContaining('tenant') });
  });

  it('reads baton-not-before when the message carries one', () => {
    const body = JSON.stringify({ v: 1, tenant: 'acme', sessionId: 's', reason: 'retry', dedupeKey: 'k' });
    const parsed = parseRunRecord(
      record(body, { 'baton-not-before': { dataType: 'Number', stringValue: '1767225660000' } }),
    );
    expect(parsed).toMatchObject({ ok: true, notBefore: 1767225660000 });
  });

  it('never throws whatever the body is', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (body) => {
        const parsed = parseRunRecord(record(body));
        if (!parsed.ok) expect(parsed.reason.length).toBeGreaterThan(0);
      }),
    );
  });
});
