import type { Head } from './head.js';
import type { SessionStore } from './store.js';

/**
 * Sessions that have pending work but no live lease and no write for `idleForMs`: the ones whose
 * run message was lost (an enqueue that failed after its input was committed).
 */
export async function* stalledSessions(
  store: SessionStore,
  now: number,
  options: { idleForMs: number; limit?: number },
): AsyncGenerator<Head> {
  // Running sessions have work by definition; a session waiting for approval has work once a
  // decision (or input) arrived that no run has read yet.
  for (const status of ['running', 'waiting_approval'] as const) {
    let cursor: string | undefined;
    do {
      const page = await store.list({ status, limit: options.limit ?? 100, ...(cursor ? { cursor } : {}) });
      for (const head of page.sessions) {
        const leaseLive = head.lease && head.lease.expiresAt > now;
        const pending = status === 'running' || head.lastInputSeq > head.processedSeq;
        if (pending && !leaseLive && now - head.updatedAt >= options.idleForMs) yield head;
      }
      cursor = page.cursor;
    } while (cursor);
  }
}
