import { parseRunMessage, type RunMessage } from '@baton/core';
import { describe, expect, it } from 'vitest';
import { encodeRunMessage } from './run-message.js';

const message: RunMessage = {
  v: 1,
  tenant: 'acme',
  sessionId: 'chat/1',
  reason: 'continue',
  dedupeKey: 'continue:acme/chat/1:7',
};

describe('encodeRunMessage', () => {
  it('produces base64 of the JSON when the message holds non-ASCII text', () => {
    const unicode = { ...message, sessionId: 'über-chat ✓' };
    const encoded = encodeRunMessage(unicode);
    expect(encoded).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'))).toEqual(unicode);
  });

  it('reads back as the message when the worker hands core the decoded JSON', () => {
    const text = Buffer.from(encodeRunMessage(message), 'base64').toString('utf8');
    expect(parseRunMessage(JSON.parse(text))).toEqual({ ok: true, message });
  });
});
