import { describe, expect, it } from 'vitest';
import { consoleSession, consoleSettings, consoleTenant, isLoopbackHost } from './console-auth.js';
import { bufferResponse } from './console-types.js';
import { keyIdentity, LOCAL_IDENTITY } from './test-support/identities.js';

describe('consoleSettings', () => {
  it('serves the local console by default and a cloud handler only with BATON_CONSOLE=on', () => {
    expect(consoleSettings({}, { enabledByDefault: true })).toEqual({ enabled: true });
    expect(consoleSettings({}, { enabledByDefault: false })).toMatchObject({ enabled: false });
    expect(consoleSettings({ BATON_CONSOLE: 'on' }, { enabledByDefault: false })).toEqual({ enabled: true });
  });

  it('turns the console off with BATON_CONSOLE=off even locally', () => {
    expect(consoleSettings({ BATON_CONSOLE: 'off' }, { enabledByDefault: true })).toMatchObject({
      enabled: false,
    });
  });
});

describe('consoleTenant', () => {
  it('lets the local identity see every tenant and a key its own only', () => {
    expect(consoleTenant(LOCAL_IDENTITY, '')).toBe('');
    expect(consoleTenant(LOCAL_IDENTITY, 'other')).toBe('other');
    expect(consoleTenant(keyIdentity('acme'), '')).toBe('acme');
    expect(consoleTenant(keyIdentity('acme'), 'acme')).toBe('acme');
    expect(consoleTenant(keyIdentity('acme'), 'other')).toEqual({ refused: expect.stringContaining('acme') });
    expect(consoleSession(keyIdentity('acme'), '', 's1')).toEqual({ tenant: 'acme', sessionId: 's1' });
    expect(consoleSession(LOCAL_IDENTITY, '', 's1')).toEqual({ tenant: 'default', sessionId: 's1' });
  });
});

describe('isLoopbackHost', () => {
  it('knows loopback addresses from the others', () => {
    expect(['127.0.0.1', '127.1.2.3', 'localhost', '::1'].every(isLoopbackHost)).toBe(true);
    expect(['0.0.0.0', '10.0.0.1', '::', 'example.com'].some(isLoopbackHost)).toBe(false);
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
