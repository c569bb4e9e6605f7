import { describe, expect, it } from 'vitest';
import { consoleSettings, isAuthorized, isLoopbackHost } from './console-auth.js';
import { bufferResponse } from './console-types.js';

describe('consoleSettings', () => {
  const local = { loopback: true, enabledByDefault: true };
  const cloud = { loopback: false, enabledByDefault: false };

  it('serves the local console without a token on a loopback host only', () => {
    expect(consoleSettings({}, local)).toEqual({ enabled: true, auth: 'none' });
    expect(consoleSettings({}, { loopback: false, enabledByDefault: true })).toMatchObject({
      enabled: false,
      reason: expect.stringContaining('BATON_CONSOLE_TOKEN'),
    });
  });

  it('requires BATON_CONSOLE=on and a long enough token for a cloud handler', () => {
    expect(consoleSettings({ BATON_CONSOLE_TOKEN: 'x'.repeat(32) }, cloud)).toMatchObject({ enabled: false });
    expect(consoleSettings({ BATON_CONSOLE: 'on' }, cloud)).toMatchObject({ enabled: false });
    expect(consoleSettings({ BATON_CONSOLE: 'on', BATON_CONSOLE_TOKEN: 'short' }, cloud)).toMatchObject({
      enabled: false,
      reason: expect.stringContaining('16 characters'),
    });
    expect(consoleSettings({ BATON_CONSOLE: 'on', BATON_CONSOLE_TOKEN: 'x'.repeat(32) }, cloud)).toEqual({
      enabled: true,
      auth: { token: 'x'.repeat(32) },
    });
  });

  it('turns the console off with BATON_CONSOLE=off even locally', () => {
    expect(consoleSettings({ BATON_CONSOLE: 'off' }, local)).toMatchObject({ enabled: false });
  });
});

describe('isLoopbackHost', () => {
  it('knows loopback addresses from the others', () => {
    expect(['127.0.0.1', '127.1.2.3', 'localhost', '::1'].every(isLoopbackHost)).toBe(true);
    expect(['0.0.0.0', '10.0.0.1', '::', 'example.com'].some(isLoopbackHost)).toBe(false);
  });
});

describe('isAuthorized', () => {
  it('accepts the bearer token in any letter case of the scheme and nothing else', () => {
    const auth = { token: 'a-long-console-token-123' };
    expect(isAuthorized(auth, { authorization: 'bearer a-long-console-token-123' })).toBe(true);
    expect(isAuthorized(auth, { authorization: 'Bearer a-long-console-token-12' })).toBe(false);
    expect(isAuthorized(auth, { authorization: 'Basic a-long-console-token-123' })).toBe(false);
    expect(isAuthorized(auth, { cookie: 'baton_console=a-long-console-token-123' })).toBe(false);
  });
});

describe('bufferResponse', () => {
  it('collects a streamed answer into one body for hosts that cannot stream', async () => {
    async function* chunks() {
      yield 'a';
      yield 'b';
    }
    expect(await bufferResponse({ status: 200, headers: {}, stream: chunks() })).toEqual({
      status: 200,
      headers: {},
      body: 'ab',
    });
  });
});
