import {
  type CostTally,
  emptyCostTally,
  type Head,
  type PriceTable,
  type SessionStore,
  sumCostTallies,
  tallyCost,
} from '@baton/core';
import { readLog } from './read-log.js';

/** A session's estimated cost, from every model call in its log (read page by page). */
export async function sessionCost(store: SessionStore, head: Head, prices: PriceTable): Promise<CostTally> {
  let tally = emptyCostTally();
  const ref = { tenant: head.tenant, sessionId: head.sessionId };
  for await (const events of readLog(store, ref, { throughSeq: head.seq })) {
    tally = tallyCost(events, prices, tally);
  }
  return tally;
}

export interface TenantCost {
  tenant: string;
  total: CostTally;
  sessions: { head: Head; cost: CostTally }[];
}

/**
 * A tenant's estimated cost: the sum over its sessions, listed page by page. It reads every log of
 * the tenant, so it is a report to run on demand, not a figure to show on every page.
 */
export async function tenantCost(
  store: SessionStore,
  tenant: string,
  prices: PriceTable,
  options: { pageSize?: number; onSession?: (done: number) => void } = {},
): Promise<TenantCost> {
  const sessions: TenantCost['sessions'] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list({ tenant, limit: options.pageSize ?? 100, ...(cursor ? { cursor } : {}) });
    for (const head of page.sessions) {
      sessions.push({ head, cost: await sessionCost(store, head, prices) });
      options.onSession?.(sessions.length);
    }
    cursor = page.cursor;
  } while (cursor);
  return { tenant, total: sumCostTallies(sessions.map((entry) => entry.cost)), sessions };
}
