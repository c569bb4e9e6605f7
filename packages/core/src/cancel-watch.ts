import type { Clock } from './clock.js';
import type { Head } from './head.js';
import { pause } from './lease.js';

/** How a lease holder looks for a cancel while a model call or tools run. */
export interface CancelWatch {
  clock: Clock;
  /** Between two reads of the head; 0 or less: no reads (the heartbeats' commits still see it). */
  everyMs: number;
  read: () => Promise<Head | null>;
  /** Told of each head read. */
  seen: (head: Head | null) => void;
  /** True once a cancel is known: no need to read again. */
  done: () => boolean;
}

/**
 * Runs `work` while reading the head every `everyMs` so a cancel appended by another invocation
 * (the HTTP function, while a queue worker runs the model) is seen within that time, not only at
 * the next heartbeat (a third of the lease, 5 s by default). Costs one read per `everyMs` of work
 * and no write; work shorter than `everyMs` costs nothing. A failed read is skipped: the next one,
 * the heartbeat or the step's commit sees the cancel.
 *
 * @example
 * const response = await watchCancel({ clock, everyMs: 1_000, read, seen, done }, () => model.generate(request));
 */
export async function watchCancel<T>(watch: CancelWatch, work: () => Promise<T>): Promise<T> {
  if (watch.everyMs <= 0) return work();
  const stop = new AbortController();
  const reads = (async () => {
    while (!stop.signal.aborted && !watch.done()) {
      await pause(watch.clock, watch.everyMs, stop.signal);
      if (stop.signal.aborted) return;
      try {
        watch.seen(await watch.read());
      } catch {
        // A store hiccup: the next read (or the step's own commit) sees the cancel.
      }
    }
  })();
  try {
    return await work();
  } finally {
    stop.abort();
    await reads;
  }
}
