import type { SessionEvent, SessionRef, SessionStore } from '@baton/core';

export const DEFAULT_PAGE_SIZE = 500;

/**
 * The log in pages of `pageSize`, from `afterSeq` up to `throughSeq` (the head's seq when the read
 * began, so a log that grows meanwhile still ends where that head says). Stores answer
 * `readEvents` in one request per page at most, so memory stays flat for any length.
 */
export async function* readLog(
  store: SessionStore,
  ref: SessionRef,
  options: { afterSeq?: number; throughSeq: number; pageSize?: number },
): AsyncGenerator<SessionEvent[]> {
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  let after = options.afterSeq ?? 0;
  while (after < options.throughSeq) {
    const page = await store.readEvents(ref, {
      afterSeq: after,
      limit: Math.min(pageSize, options.throughSeq - after),
    });
    const kept = page.filter((event) => event.seq <= options.throughSeq);
    if (kept.length === 0) return;
    yield kept;
    after = kept.at(-1)!.seq;
  }
}
