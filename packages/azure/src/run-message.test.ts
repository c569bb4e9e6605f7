import type { RunMessage } from '@baton/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeRunMessage, parseRunMessage } from './run-message.js';

const message: RunMessage = {
  v: 1,
  tenant: 'acme',
  sessionId: 'chat/1',
  reason: 'continue',
  dedupeKey: 'continue:acme/chat/1:7',
};

describe('parseRunMessage', () => {
  it('accepts the message when the worker hands it over parsed, as text or as bytes', () => {
    const text = Buffer.from(encodeRunMessage(message), 'base64').toString('utf8');
    expect(parseRunMessage(JSON.parse(text))).toEqual({ ok: true, message });
    expect(parseRunMessage(text)).toEqual({ ok: true, message });
    expect(parseRunMessage(Buffer.from(text))).toEqual({ ok: true, message });
  });

  it('keeps the traceparent when the message carries one', () => {
    const traced = { ...message, traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' };
    expect(parseRunMessage(traced)).toEqual({ ok: true, message: traced });
  });

  it('rejects the message when it is not JSON, has the wrong shape or names an invalid session', () => {
    expect(parseRunMessage('not json')).toMatchObject({ ok: false, error: 'the message is not JSON' });
    expect(parseRunMessage({ ...message, v: 2 })).toMatchObject({ ok: false });
    expect(parseRunMessage({ ...message, reason: 'because' })).toMatchObject({ ok: false });
    expect(parseRunMessage({ ...message, tenant: 'no spaces allowed' })).toMatchObject({ ok: false });
    expect(parseRunMessage(null)).toMatchObject({ ok: false });
  });

  it('never throws when given arbitrary input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.string(), fc.uint8Array()), (entry) => {
        expect(typeof parseRunMessage(entry).ok).toBe('boolean');
      }),
    );
  });
});

describe('encodeRunMessage', () => {
  it('produces base64 of the JSON when the message holds non-ASCII text', () => {
    const unicode = { ...message, sessionId: 'über-chat ✓' };
    const encoded = encodeRunMessage(unicode);
    expect(encoded).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'))).toEqual(unicode);
  });
});
