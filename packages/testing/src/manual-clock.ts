import type { Clock } from '@baton/core';

/**
 * 2026-01-01T00:00:00Z: a fixed start so timestamps in test output are stable and readable. Pass
 * `Date.now()` instead when the times reach something that expires records by the real clock (the
 * TTL sweeper of DynamoDB Local, a queue's visibility timeout).
 */
const DEFAULT_START = Date.UTC(2026, 0, 1);

/**
 * A clock that moves only when the test says so, so leases, TTLs and deadlines are tested without
 * sleeps or wall-clock races.
 *
 * @example
 * const clock = new ManualClock();
 * const lease = { owner: 'worker-1', clock, leaseMs: 30_000 };
 * clock.advance(30_001); // the lease has now expired
 */
export class ManualClock implements Clock {
  private current: number;

  constructor(start: number = DEFAULT_START) {
    this.current = checked(start, 'start');
  }

  now(): number {
    return this.current;
  }

  /** Moves time forward by `ms` and returns the new time. */
  advance(ms: number): number {
    // Time running backwards would let an expired lease come back to life; use set() on purpose.
    if (checked(ms, 'ms') < 0) throw new RangeError(`ManualClock.advance needs ms >= 0, got ${ms}`);
    this.current += ms;
    return this.current;
  }

  /** Jumps to an absolute epoch-millisecond time (backwards too, to test clock skew). */
  set(ms: number): void {
    this.current = checked(ms, 'ms');
  }
}

function checked(value: number, name: string): number {
  if (!Number.isFinite(value))
    throw new RangeError(`ManualClock: ${name} must be a finite number, got ${value}`);
  return value;
}
