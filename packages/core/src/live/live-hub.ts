import { refKey, type SessionRef } from '../session-ref.js';
import type { LiveSnapshot } from './live-store.js';

/** Called with the session's new snapshot, or null when its model call ended (committed or not). */
export type LiveListener = (snapshot: LiveSnapshot | null) => void;

interface Entry {
  snapshot: LiveSnapshot | null;
  listeners: Set<LiveListener>;
}

/**
 * The in-process channel of live sessions: per session, the snapshot of the model call running in
 * this process (if any) and who listens. A model step publishes every delta here at once, for
 * free; clients of this process (the POST that started the run, a GET /stream served by the same
 * server) follow it without touching the store. Runs in other invocations reach them through the
 * store's live record instead (LiveStore). One hub per Baton instance.
 *
 * @example
 *   const hub = new LiveHub();
 *   const stop = hub.subscribe(ref, (snapshot) => console.log(snapshot?.text));
 *   hub.publish(ref, { afterSeq: 4, runId: 'run-1', text: 'Hel', toolCalls: [], updatedAt: 0, expiresAt: 1 });
 *   hub.end(ref, 'run-1');
 *   stop();
 */
export class LiveHub {
  private readonly sessions = new Map<string, Entry>();

  /** The snapshot of the model call this process is making for the session, or null. */
  current(ref: SessionRef): LiveSnapshot | null {
    return this.sessions.get(refKey(ref))?.snapshot ?? null;
  }

  /** Replaces the session's snapshot and tells every listener. */
  publish(ref: SessionRef, snapshot: LiveSnapshot): void {
    const entry = this.entry(ref);
    entry.snapshot = snapshot;
    for (const listener of entry.listeners) listener(snapshot);
  }

  /** The run's model call ended (its step committed, or it failed): its snapshot goes, listeners are told. */
  end(ref: SessionRef, runId: string): void {
    const key = refKey(ref);
    const entry = this.sessions.get(key);
    if (!entry || (entry.snapshot && entry.snapshot.runId !== runId)) return;
    entry.snapshot = null;
    for (const listener of entry.listeners) listener(null);
    if (entry.listeners.size === 0) this.sessions.delete(key);
  }

  /** Listens to the session's snapshots until the returned function is called. */
  subscribe(ref: SessionRef, listener: LiveListener): () => void {
    const key = refKey(ref);
    const entry = this.entry(ref);
    entry.listeners.add(listener);
    return () => {
      entry.listeners.delete(listener);
      if (entry.listeners.size === 0 && entry.snapshot === null) this.sessions.delete(key);
    };
  }

  private entry(ref: SessionRef): Entry {
    const key = refKey(ref);
    let entry = this.sessions.get(key);
    if (!entry) {
      entry = { snapshot: null, listeners: new Set() };
      this.sessions.set(key, entry);
    }
    return entry;
  }
}
