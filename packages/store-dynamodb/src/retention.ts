import type { Head } from '@baton/core';

/**
 * How long a session and its records live (docs/design.md, "Records and their versions"). Expiry
 * is per session: the head's `expiresAt` is written again by every commit, so activity keeps a
 * session; events carry a far later expiry (session TTL + the longest life a session may have),
 * which no head can reach, so no live head ever loses an event to TTL. A session ends whole, with
 * its head, when it has been idle for `ttlSeconds` or reaches `maxLifetimeSeconds` since creation;
 * readers treat it as gone at once, and the items left behind expire later on their own.
 */
export interface Retention {
  /** Idle time after which a session is gone; undefined keeps sessions forever. */
  ttlSeconds: number | undefined;
  /** The longest a session may live from its creation, however active (only with ttlSeconds). */
  maxLifetimeSeconds: number;
  /** How long a dedupe record is kept (never longer than its session's head at the time). */
  dedupeTtlSeconds: number;
}

/** 7 days: longer than SQS keeps a message (4 days) and than Slack or webhooks retry. */
export const DEFAULT_DEDUPE_TTL_SECONDS = 7 * 86_400;
export const DEFAULT_MAX_LIFETIME_SECONDS = 365 * 86_400;

export function resolveRetention(options: {
  ttlSeconds?: number | undefined;
  maxLifetimeSeconds?: number | undefined;
  dedupeTtlSeconds?: number | undefined;
}): Retention {
  for (const name of ['ttlSeconds', 'maxLifetimeSeconds', 'dedupeTtlSeconds'] as const) {
    const value = options[name];
    if (value !== undefined && !(Number.isInteger(value) && value > 0)) {
      throw new RangeError(`${name} must be a positive integer, got ${value}`);
    }
  }
  return {
    ttlSeconds: options.ttlSeconds,
    maxLifetimeSeconds: options.maxLifetimeSeconds ?? DEFAULT_MAX_LIFETIME_SECONDS,
    dedupeTtlSeconds: options.dedupeTtlSeconds ?? DEFAULT_DEDUPE_TTL_SECONDS,
  };
}

/** Epoch seconds from which each kind of item a commit writes now is expired. */
export interface Expiries {
  head: number | undefined;
  events: number | undefined;
  dedupe: number;
}

/**
 * The head expires `ttlSeconds` after this commit, but never later than `maxLifetimeSeconds` after
 * the session's creation; an event written now expires `ttlSeconds + maxLifetimeSeconds` from now,
 * later than any head of its session can (heads only move their expiry forward, up to the cap).
 * The dedupe record expires after its window, or with the head as written now if that is sooner,
 * so it never outlives its session.
 */
export function expiriesFor(nowMs: number, head: Pick<Head, 'createdAt'>, retention: Retention): Expiries {
  const now = Math.floor(nowMs / 1000);
  const dedupe = now + retention.dedupeTtlSeconds;
  const { ttlSeconds, maxLifetimeSeconds } = retention;
  if (ttlSeconds === undefined) return { head: undefined, events: undefined, dedupe };
  const cap = Math.floor(head.createdAt / 1000) + maxLifetimeSeconds;
  const headExpiry = Math.min(now + ttlSeconds, cap);
  return {
    head: headExpiry,
    events: now + ttlSeconds + maxLifetimeSeconds,
    dedupe: Math.min(dedupe, headExpiry),
  };
}
