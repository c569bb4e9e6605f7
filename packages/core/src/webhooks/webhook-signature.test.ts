import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhookSignature } from './webhook-signature.js';

const secret = 'whsec_abc';
const now = 1_800_000_000;

describe('verifyWebhookSignature', () => {
  it('accepts a signature made with the same secret, body and a recent timestamp', () => {
    const body = '{"id":"evt_1"}';
    const header = signWebhook(secret, now - 10, body);
    expect(verifyWebhookSignature({ body, header, secret, now })).toEqual({ ok: true, timestamp: now - 10 });
  });

  it('refuses a changed body, another secret, or an old timestamp', () => {
    const header = signWebhook(secret, now, 'a');
    expect(verifyWebhookSignature({ body: 'b', header, secret, now }).ok).toBe(false);
    expect(verifyWebhookSignature({ body: 'a', header, secret: 'other', now }).ok).toBe(false);
    expect(verifyWebhookSignature({ body: 'a', header, secret, now: now + 301 })).toEqual({
      ok: false,
      reason: "the signature's timestamp is more than 300 s from now",
    });
  });

  it('accepts any of several v1 signatures (a secret being rotated)', () => {
    const good = signWebhook(secret, now, 'x').split(',')[1];
    const header = `t=${now},v1=${'0'.repeat(64)},${good}`;
    expect(verifyWebhookSignature({ body: 'x', header, secret, now }).ok).toBe(true);
  });

  it('never throws and never accepts a malformed header', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.string({ maxLength: 50 }), (header, body) => {
        const result = verifyWebhookSignature({ body, header, secret, now });
        expect(result.ok).toBe(false);
      }),
    );
    for (const header of [
      undefined,
      null,
      '',
      't=',
      'v1=zz',
      `t=${now}`,
      `t=x,v1=${'a'.repeat(64)}`,
      'x'.repeat(5000),
    ]) {
      expect(verifyWebhookSignature({ body: '', header, secret, now }).ok).toBe(false);
    }
  });
});
