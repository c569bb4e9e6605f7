import {
  EventTooLargeError,
  type Head,
  jsonBytes,
  PayloadTooLargeError,
  type SessionEvent,
  type SessionRef,
  type SessionStore,
} from '@baton/core';
import { ImportFormatError, type SessionFile } from './session-file.js';

export interface ImportOptions {
  /** Overwrite a session that exists (deleted first: not atomic, the file stays the source). */
  replace?: boolean;
  /** Import under this tenant instead of the file's. */
  tenant?: string | undefined;
  /** Events per commit. Default 25: well inside DynamoDB's 100 actions and Cosmos DB's 100 operations. */
  chunkEvents?: number;
  /** JSON bytes per commit. Default 1 MiB, inside DynamoDB's 4 MB transactions and Cosmos DB's 2 MB batches. */
  chunkBytes?: number;
  onProgress?: (done: number, total: number) => void;
  now?: () => number;
}

export class SessionExistsError extends Error {
  override readonly name = 'SessionExistsError';
}

const IMPORT_LEASE_MS = 10 * 60_000;

/**
 * Writes a checked session file through the store's own `commit`, a chunk of events at a time, so
 * it works on stores with transaction limits: the first commit creates the session, each next one
 * is conditioned on the version the previous one wrote. A chunk the store finds too large is halved
 * and tried again (nothing of it was written). Until the last commit the head carries an import
 * lease, so no run starts on a half-imported log; the last commit writes the exported head as it
 * was, except its version (the target store's own count of writes) and its lease (the holder lives
 * in the source deployment, not here).
 */
export async function importSession(
  store: SessionStore,
  file: SessionFile,
  options: ImportOptions = {},
): Promise<{ ref: SessionRef; commits: number; events: number }> {
  const tenant = options.tenant ?? file.head.tenant;
  const ref = { tenant, sessionId: file.head.sessionId };
  file.events.forEach((event, index) => {
    const bytes = jsonBytes(event);
    if (bytes > store.limits.maxEventBytes) {
      throw new ImportFormatError(
        file.eventLines[index] ?? 0,
        `event #${event.seq} has ${bytes} bytes; the ${store.name} store takes at most ${store.limits.maxEventBytes}`,
      );
    }
  });
  if (await store.readHead(ref)) {
    if (!options.replace) {
      throw new SessionExistsError(
        `session ${ref.sessionId} of tenant ${tenant} exists in the ${store.name} store; pass --replace to overwrite it`,
      );
    }
    await store.delete(ref);
  }
  const now = options.now ?? Date.now;
  const finalHead: Head = { ...file.head, tenant, lease: null };
  // Shrinks for good when the store refuses a chunk: its limit does not change between chunks.
  let chunkEvents = Math.max(1, options.chunkEvents ?? 25);
  const chunkBytes = Math.max(1, options.chunkBytes ?? 1024 * 1024);
  const events = file.events;
  let index = 0;
  let version = 0;
  do {
    let size = chunkSize(events, index, chunkEvents, chunkBytes);
    for (;;) {
      const slice = events.slice(index, index + size);
      const last = index + size >= events.length;
      const head = last ? finalHead : interimHead(finalHead, slice.at(-1)!.seq, now());
      try {
        await store.commit({
          ref,
          expectedVersion: version === 0 ? null : version,
          head: { ...head, version: version + 1 },
          events: slice,
        });
        break;
      } catch (error) {
        const tooLarge = error instanceof EventTooLargeError || error instanceof PayloadTooLargeError;
        if (!tooLarge || size === 1) throw error;
        size = Math.ceil(size / 2);
        chunkEvents = size;
      }
    }
    index += size;
    version++;
    options.onProgress?.(index, events.length);
  } while (index < events.length);
  return { ref, commits: version, events: events.length };
}

/** How many events from `index` fit the count and byte budget (at least one). */
function chunkSize(events: SessionEvent[], index: number, maxEvents: number, maxBytes: number): number {
  let bytes = 0;
  let size = 0;
  while (index + size < events.length && size < maxEvents) {
    bytes += jsonBytes(events[index + size]);
    if (size > 0 && bytes > maxBytes) break;
    size++;
  }
  return size;
}

/** The head of a half-imported session: consistent with the events so far, and leased to the import. */
function interimHead(head: Head, seq: number, now: number): Head {
  const summarySeq = head.summarySeq !== null && head.summarySeq <= seq ? head.summarySeq : null;
  return {
    ...head,
    seq,
    // Without the summary yet, the live context is the whole log so far.
    contextStart: summarySeq === null ? 1 : head.contextStart,
    summarySeq,
    lastInputSeq: Math.min(head.lastInputSeq, seq),
    processedSeq: Math.min(head.processedSeq, seq),
    lease: { owner: 'baton-import', expiresAt: now + IMPORT_LEASE_MS, epoch: head.leaseEpoch },
  };
}
