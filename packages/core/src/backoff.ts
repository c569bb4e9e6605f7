import { type Clock, sleep } from './clock.js';

/**
 * How a write that lost a race is tried again: a bounded number of attempts, with exponential
 * backoff and full jitter between them, so writers that collided spread out instead of colliding
 * again in lockstep.
 */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  /** Bound of the first wait; each later bound doubles, up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * For conditional commits that conflicted: milliseconds at first, at most a second between
 * attempts, about 12 s in all on average before giving up. Sized for ten processes appending to
 * one session of a remote store at once (the reliability suite's contention case).
 */
export const CONFLICT_RETRY: RetryPolicy = { attempts: 30, baseDelayMs: 10, maxDelayMs: 1_000 };

/** Returned by an attempt to ask for another one. */
export const AGAIN: unique symbol = Symbol('again');

/** The wait before retry `retry` (1 for the first): uniform in [0, min(max, base * 2^(retry - 1))]. */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const bound = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * bound);
}

/**
 * Calls `attempt` (with 0, 1, 2, ...) until it returns something other than AGAIN, waiting a
 * jittered, growing delay before each retry. Throws `gaveUp()` once the attempts are spent.
 *
 * @example
 * const head = await withBackoff(clock, CONFLICT_RETRY, async () => (await tryOnce()) ?? AGAIN, () => new ConflictError());
 */
export async function withBackoff<T>(
  clock: Clock,
  policy: RetryPolicy,
  attempt: (retry: number) => Promise<T | typeof AGAIN>,
  gaveUp: () => Error,
): Promise<T> {
  for (let retry = 0; retry < policy.attempts; retry++) {
    if (retry > 0) await sleep(clock, backoffDelay(policy, retry));
    const result = await attempt(retry);
    if (result !== AGAIN) return result;
  }
  throw gaveUp();
}
