import { BatonError } from './errors.js';
import type { Head } from './head.js';

/**
 * How long a session and its records live in a store with expiry (docs/design.md, "Records and
 * their versions"); one rule for every store. Expiry is per session: the head's expiry is written
 * again by every commit, so activity keeps a session; events carry a far later one (session TTL +
 * the longest life a session may have), which no head can reach, so no live head ever loses an
 * event. A session ends whole, with its head, once idle for `ttlSeconds` or `maxLifetimeSeconds`
 * after its creation; readers treat it as gone at once, and what is left expires later on its own.
 */
export interface Retention {
  /** Idle time after which a session is gone; undefined keeps sessions forever. */
  ttlSeconds: number | undefined;
  /** The longest a session may live from its creation, however active (only with ttlSeconds). */
  maxLifetimeSeconds: number;
  /** How long a dedupe record is kept (never longer than its session's head at the time). */
  dedupeTtlSeconds: number;
}

/** 7 days: longer than SQS (4 days) or Storage Queues keep a message, and than Slack or webhooks retry. */
export const DEFAULT_DEDUPE_TTL_SECONDS = 7 * 86_400;
export const DEFAULT_MAX_LIFETIME_SECONDS = 365 * 86_400;

/** The retention a store was configured with, checked (whole positive seconds), defaults filled in. */
export function resolveRetention(options: {
  ttlSeconds?: number | undefined;
  maxLifetimeSeconds?: number | undefined;
  dedupeTtlSeconds?: number | undefined;
}): Retention {
  for (const name of ['ttlSeconds', 'maxLifetimeSeconds', 'dedupeTtlSeconds'] as const) {
    const value = options[name];
    if (value !== undefined && !(Number.isInteger(value) && value > 0)) {
      throw new BatonError('store_config', `${name} must be a positive integer, got ${value}`);
    }
  }
  return {
    ttlSeconds: options.ttlSeconds,
    maxLifetimeSeconds: options.maxLifetimeSeconds ?? DEFAULT_MAX_LIFETIME_SECONDS,
    dedupeTtlSeconds: options.dedupeTtlSeconds ?? DEFAULT_DEDUPE_TTL_SECONDS,
  };
}

/** Epoch ms from which each kind of record a commit writes now is expired (undefined: never). */
export interface RetentionExpiries {
  head: number | undefined;
  events: number | undefined;
  dedupe: number;
}

/**
 * The head expires `ttlSeconds` after this commit, never later than `maxLifetimeSeconds` after the
 * session's creation; events written now `ttlSeconds + maxLifetimeSeconds` from now, later than any
 * head of the session can. The dedupe record after its window, or with the head if that is sooner.
 *
 * @example
 * retentionExpiries(Date.now(), head, resolveRetention({ ttlSeconds: 86_400 })).head; // now + 1 day
 */
export function retentionExpiries(
  nowMs: number,
  head: Pick<Head, 'createdAt'>,
  retention: Retention,
): RetentionExpiries {
  const dedupe = nowMs + retention.dedupeTtlSeconds * 1000;
  const { ttlSeconds, maxLifetimeSeconds } = retention;
  if (ttlSeconds === undefined) return { head: undefined, events: undefined, dedupe };
  const headExpiry = Math.min(nowMs + ttlSeconds * 1000, head.createdAt + maxLifetimeSeconds * 1000);
  return {
    head: headExpiry,
    events: nowMs + (ttlSeconds + maxLifetimeSeconds) * 1000,
    dedupe: Math.min(dedupe, headExpiry),
  };
}
