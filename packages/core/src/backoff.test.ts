import { describe, expect, it } from 'vitest';
import { AGAIN, backoffDelay, type RetryPolicy, withBackoff } from './backoff.js';
import type { Clock } from './clock.js';

const policy: RetryPolicy = { attempts: 5, baseDelayMs: 10, maxDelayMs: 50 };

/** A clock that records the waits and advances itself instead of sleeping. */
function sleepingClock(): Clock & { waits: number[] } {
  let now = 0;
  const waits: number[] = [];
  return {
    waits,
    now: () => now,
    sleep: async (ms) => {
      waits.push(ms);
      now += ms;
    },
  };
}

describe('backoffDelay', () => {
  it('doubles its bound with every retry up to the maximum, with full jitter below it', () => {
    expect([1, 2, 3, 4, 5].map((retry) => backoffDelay(policy, retry, () => 0.999999))).toEqual([
      9, 19, 39, 49, 49,
    ]);
    expect(backoffDelay(policy, 3, () => 0)).toBe(0);
  });
});

describe('withBackoff', () => {
  it('waits through the clock between attempts and returns the first result', async () => {
    const clock = sleepingClock();
    let calls = 0;
    const result = await withBackoff(
      clock,
      policy,
      async () => (++calls < 3 ? AGAIN : 'done'),
      () => new Error('gave up'),
    );
    expect(result).toBe('done');
    expect(calls).toBe(3);
    expect(clock.waits).toHaveLength(2);
    expect(clock.waits[0]).toBeLessThan(10);
    expect(clock.waits[1]).toBeLessThan(20);
  });

  it('gives up after the policy’s attempts, never looping on', async () => {
    const clock = sleepingClock();
    let calls = 0;
    await expect(
      withBackoff(
        clock,
        policy,
        async () => {
          calls++;
          return AGAIN;
        },
        () => new Error('gave up'),
      ),
    ).rejects.toThrow('gave up');
    expect(calls).toBe(5);
    expect(clock.waits).toHaveLength(4);
  });
});
