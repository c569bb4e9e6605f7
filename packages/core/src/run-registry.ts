import { refKey, type SessionRef } from './session-ref.js';
import type { SessionWriter } from './session-writer.js';

/**
 * The runs one process is executing, by session: a cancel recorded in the same process (the local
 * server, an HTTP function that runs the session inline) stops their model call or tools at once,
 * instead of when the run next reads the head. Runs in other invocations see the cancel on the
 * head (SessionWriter: its reads during a call, heartbeats, commits).
 *
 * @example
 * const runs = new RunRegistry();
 * const remove = runs.add(writer);
 * runs.cancel(ref, 12); // the writer's run aborts its model call
 * remove();
 */
export class RunRegistry {
  private readonly writers = new Map<string, Set<SessionWriter>>();

  /** Registers a run's writer; returns the function that removes it. */
  add(writer: SessionWriter): () => void {
    const key = refKey(writer.ref);
    let set = this.writers.get(key);
    if (!set) {
      set = new Set();
      this.writers.set(key, set);
    }
    set.add(writer);
    return () => {
      set.delete(writer);
      if (set.size === 0 && this.writers.get(key) === set) this.writers.delete(key);
    };
  }

  /** Tells the session's runs in this process of the cancel appended at `cancelSeq`. */
  cancel(ref: SessionRef, cancelSeq: number): number {
    const set = this.writers.get(refKey(ref));
    for (const writer of set ?? []) writer.noticeCancel(cancelSeq);
    return set?.size ?? 0;
  }
}
