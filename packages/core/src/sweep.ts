import { type Head, hasPendingWork } from './head.js';
import type { SessionStore } from './store.js';

/**
 * Sessions that have pending work but no live lease and no write for `idleForMs`: the ones whose
 * run message was lost (an enqueue that failed after its input was committed). Reads the store's
 * pending index, so a sweep costs in proportion to sessions with pending work, however many idle
 * ones exist.
 */
export async function* stalledSessions(
  store: SessionStore,
  now: number,
  options: { idleForMs: number; limit?: number },
): AsyncGenerator<Head> {
  let cursor: string | undefined;
  do {
    const page = await store.listPending({ limit: options.limit ?? 100, ...(cursor ? { cursor } : {}) });
    for (const head of page.sessions) {
      const leaseLive = head.lease && head.lease.expiresAt > now;
      // The index may lag the head on some stores (DynamoDB's is eventually consistent): check again.
      if (hasPendingWork(head) && !leaseLive && now - head.updatedAt >= options.idleForMs) yield head;
    }
    cursor = page.cursor;
  } while (cursor);
}
