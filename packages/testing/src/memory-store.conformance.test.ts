import { type Clock, refKey, type SessionStore } from '@baton/core';
import { MemoryStore } from '@baton/core/store';
import { describeStoreConformance } from './index.js';

/** MemoryStore keeps records as JSON strings in a private map; raw fixtures go straight into it. */
interface MemoryInternals {
  sessions: Map<string, { head: string; events: string[]; dedupe: Map<string, string> }>;
}

describeStoreConformance('memory', {
  // Its live snapshots expire by the suite's clock, as every store's do by its harness clock.
  create: async ({ clock }) => {
    const options: ConstructorParameters<typeof MemoryStore>[0] & { clock?: Clock } = { clock };
    return new MemoryStore(options);
  },
  writeRaw: async (store: SessionStore, { ref, head, events }) => {
    (store as unknown as MemoryInternals).sessions.set(refKey(ref), {
      head: JSON.stringify(head),
      events: events.map((event) => JSON.stringify(event)),
      dedupe: new Map(),
    });
  },
});
