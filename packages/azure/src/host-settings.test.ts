import { describe, expect, it } from 'vitest';
import hostJson from '../host.json' with { type: 'json' };
import { hostSettings, timeSpanMs, UNBOUNDED_TIMEOUT_BUDGET_MS } from './host-settings.js';

describe('hostSettings', () => {
  it('reads the timeout, route prefix and dequeue count when given the shipped host.json', () => {
    expect(hostSettings(hostJson, {})).toEqual({
      functionTimeoutMs: 600_000,
      routePrefix: 'api',
      maxDequeueCount: 5,
    });
  });

  it('uses the host defaults when host.json leaves the settings out', () => {
    expect(hostSettings({ version: '2.0' }, {})).toEqual({
      functionTimeoutMs: 300_000,
      routePrefix: 'api',
      maxDequeueCount: 5,
    });
  });

  it('prefers the AzureFunctionsJobHost__ app settings when they override host.json', () => {
    const settings = hostSettings(hostJson, {
      AzureFunctionsJobHost__functionTimeout: '00:02:30',
      AzureFunctionsJobHost__extensions__http__routePrefix: '',
      AzureFunctionsJobHost__extensions__queues__maxDequeueCount: '3',
    });
    expect(settings).toEqual({ functionTimeoutMs: 150_000, routePrefix: '', maxDequeueCount: 3 });
  });

  it('throws when an override is not a positive integer', () => {
    expect(() =>
      hostSettings(hostJson, { AzureFunctionsJobHost__extensions__queues__maxDequeueCount: '0' }),
    ).toThrow(/maxDequeueCount/);
  });
});

describe('timeSpanMs', () => {
  it('parses hh:mm:ss, days and fractions when given .NET TimeSpans', () => {
    expect(timeSpanMs('00:10:00')).toBe(600_000);
    expect(timeSpanMs('1.00:00:00')).toBe(86_400_000);
    expect(timeSpanMs('00:00:01.5')).toBe(1_500);
  });

  it('gives a finite budget when the timeout is unbounded (-1)', () => {
    expect(timeSpanMs('-1')).toBe(UNBOUNDED_TIMEOUT_BUDGET_MS);
  });

  it('throws when the value is not a TimeSpan', () => {
    expect(() => timeSpanMs('10 minutes')).toThrow(/TimeSpan/);
    expect(() => timeSpanMs('00:00:00')).toThrow(/positive/);
  });
});
