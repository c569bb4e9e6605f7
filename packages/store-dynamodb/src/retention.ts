import { type Head, type Retention, retentionExpiries } from '@baton/core';

export {
  DEFAULT_DEDUPE_TTL_SECONDS,
  DEFAULT_MAX_LIFETIME_SECONDS,
  type Retention,
  resolveRetention,
} from '@baton/core';

/** Epoch seconds (DynamoDB's TTL unit) from which each kind of item a commit writes now is expired. */
export interface Expiries {
  head: number | undefined;
  events: number | undefined;
  dedupe: number;
}

/** Core's one retention rule (`retentionExpiries`, docs/design.md), in DynamoDB's epoch seconds. */
export function expiriesFor(nowMs: number, head: Pick<Head, 'createdAt'>, retention: Retention): Expiries {
  const expiries = retentionExpiries(nowMs, head, retention);
  const seconds = (ms: number | undefined) => (ms === undefined ? undefined : Math.floor(ms / 1000));
  return {
    head: seconds(expiries.head),
    events: seconds(expiries.events),
    dedupe: Math.floor(expiries.dedupe / 1000),
  };
}
