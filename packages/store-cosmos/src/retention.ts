import { BatonError, type Head } from '@baton/core';

/**
 * How long a session and its documents live (docs/design.md, "Records and their versions"), the
 * same rules as every Baton store: expiry is per session. The head's `ttl` is written again by every
 * commit, so activity keeps a session; events and chunks carry a far later one (session TTL + the
 * longest life a session may have), which no head can reach, so no live head ever loses an event.
 * A session ends whole, with its head, once idle for `ttlSeconds` or `maxLifetimeSeconds` after its
 * creation; readers treat it as gone at once, and what is left expires later on its own.
 */
export interface Retention {
  ttlSeconds: number | undefined;
  maxLifetimeSeconds: number;
  dedupeTtlSeconds: number;
}

/** 7 days: longer than Storage Queues keep a message by default and than Slack or webhooks retry. */
export const DEFAULT_DEDUPE_TTL_SECONDS = 7 * 86_400;
export const DEFAULT_MAX_LIFETIME_SECONDS = 365 * 86_400;

export function resolveRetention(options: {
  ttlSeconds?: number | undefined;
  maxLifetimeSeconds?: number | undefined;
  dedupeTtlSeconds?: number | undefined;
}): Retention {
  // Cosmos accepts only whole seconds; 0 and null are invalid item ttls.
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

/** `ttl` seconds from now (what Cosmos deletes by) and the matching `expiresAt` (what reads filter by). */
export interface Expiry {
  ttl: number;
  expiresAt: number;
}

export interface Expiries {
  head: Expiry | undefined;
  events: Expiry | undefined;
  dedupe: Expiry;
}

/**
 * The head expires `ttlSeconds` after this commit, never later than `maxLifetimeSeconds` after
 * the session's creation; events written now `ttlSeconds + maxLifetimeSeconds` from now, later than
 * any head of the session can. The dedupe record after its window, or with the head if sooner.
 */
export function expiriesFor(now: number, head: Pick<Head, 'createdAt'>, retention: Retention): Expiries {
  const at = (expiresAt: number): Expiry => ({
    // Cosmos needs a positive ttl; a head already past its cap is hidden by expiresAt anyway.
    ttl: Math.max(1, Math.ceil((expiresAt - now) / 1000)),
    expiresAt,
  });
  const dedupe = now + retention.dedupeTtlSeconds * 1000;
  const { ttlSeconds, maxLifetimeSeconds } = retention;
  if (ttlSeconds === undefined) return { head: undefined, events: undefined, dedupe: at(dedupe) };
  const headExpiry = Math.min(now + ttlSeconds * 1000, head.createdAt + maxLifetimeSeconds * 1000);
  return {
    head: at(headExpiry),
    events: at(now + (ttlSeconds + maxLifetimeSeconds) * 1000),
    dedupe: at(Math.min(dedupe, headExpiry)),
  };
}
