import type { Baton } from '../baton.js';
import { responseEnds } from './response-builder.js';
import type { ResponsePosition } from './response-id.js';

const POLL_MS = 100;
const MARGIN_MS = 1_000;

/**
 * Waits until the response at `position` ended (its run answered, failed, or waits for approval),
 * or the host's wait (`waitMs`, hosts that keep running) or the invocation's deadline is near. A
 * run this request started is awaited; a run elsewhere (the queue worker took the lease) is
 * followed by reading the log, woken by this process's live hub where it runs here.
 *
 * @example
 *   await waitForResponse(baton, { ref, seq: 7 }, running, { deadline, waitMs: 10_000 });
 */
export async function waitForResponse(
  baton: Baton,
  position: ResponsePosition,
  running: Promise<unknown> | null,
  options: { deadline: number; waitMs?: number },
): Promise<void> {
  const until = Math.min(
    performance.now() + (options.waitMs ?? Number.POSITIVE_INFINITY),
    performance.now() + (options.deadline - baton.clock.now()) - MARGIN_MS,
  );
  if (running) await race(running, until - performance.now());
  let after = position.seq - 1;
  const ends = responseEnds(position.seq);
  while (performance.now() < until) {
    const events = await baton.store.readEvents(position.ref, { afterSeq: after, limit: 200 });
    if (events.some(ends)) return;
    after = events.at(-1)?.seq ?? after;
    if (events.length === 200) continue;
    await race(null, Math.min(POLL_MS, until - performance.now()));
  }
}

async function race(promise: Promise<unknown> | null, ms: number): Promise<void> {
  if (ms <= 0) return;
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  await Promise.race(promise ? [promise, waited] : [waited]).finally(() => clearTimeout(timer));
}
