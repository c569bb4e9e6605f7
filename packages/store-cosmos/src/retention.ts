import { type Head, type Retention, retentionExpiries } from '@baton/core';

export {
  DEFAULT_DEDUPE_TTL_SECONDS,
  DEFAULT_MAX_LIFETIME_SECONDS,
  type Retention,
  resolveRetention,
} from '@baton/core';

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

/** Core's one retention rule (`retentionExpiries`, docs/design.md), as Cosmos item ttls. */
export function expiriesFor(now: number, head: Pick<Head, 'createdAt'>, retention: Retention): Expiries {
  const at = (expiresAt: number): Expiry => ({
    // Cosmos needs a positive ttl; a head already past its cap is hidden by expiresAt anyway.
    ttl: Math.max(1, Math.ceil((expiresAt - now) / 1000)),
    expiresAt,
  });
  const expiries = retentionExpiries(now, head, retention);
  return {
    head: expiries.head === undefined ? undefined : at(expiries.head),
    events: expiries.events === undefined ? undefined : at(expiries.events),
    dedupe: at(expiries.dedupe),
  };
}
