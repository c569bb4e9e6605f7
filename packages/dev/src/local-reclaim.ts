import { randomUUID } from 'node:crypto';
import { breakLease, type Clock, type Logger, refKey, type SessionStore, sessionRef } from '@baton/core';
import type { ServerRecord, SqliteRunQueue } from './local-queue.js';

/** Servers of this process that have a file open (a test may run several, one after another). */
const liveHere = new Set<string>();

export interface Reclaimed {
  /** This server's incarnation: it holds what its worker receives and is recorded in the file. */
  incarnation: string;
  /** Leases of a dead predecessor broken at start (their sessions are run again at once). */
  leases: number;
  /** Messages a dead predecessor held, or that waited for a broken lease, visible again at once. */
  messages: number;
  /** Other servers alive on the same file (then no lease is broken). */
  others: number;
  /** Forgets this server in the file (at stop). */
  release(): void;
}

/**
 * What a restarted `baton serve` does before it serves: records itself in the SQLite file and takes
 * back at once the work of a predecessor that died (SIGKILL, a crash). The file is one host's, so a
 * predecessor is dead when its recorded process is gone. With no other server alive, every live
 * lease is a dead process's: each is broken (a fenced commit, see `breakLease`) and its session
 * gets a run message, visible now; the messages the dead held (or put back to wait for a lease)
 * become visible now. Waiting for leases and visibility timeouts to expire would take seconds to
 * minutes. With another server alive on the file, only the messages dead servers held come back.
 */
export async function reclaimPredecessors(
  store: SessionStore,
  queue: SqliteRunQueue,
  clock: Clock,
  logger: Logger,
): Promise<Reclaimed> {
  const incarnation = `local-${randomUUID()}`;
  const living = queue.registerServer({ incarnation, pid: process.pid }, alive);
  liveHere.add(incarnation);
  let leases = 0;
  if (living.length === 0) {
    let cursor: string | undefined;
    do {
      const page = await store.listPending({ limit: 100, ...(cursor ? { cursor } : {}) });
      for (const head of page.sessions) {
        if (!head.lease || head.lease.expiresAt <= clock.now()) continue;
        const ref = sessionRef(head.tenant, head.sessionId);
        const broken = await breakLease(store, ref, { clock, head });
        if (!broken) continue;
        leases++;
        await queue.enqueue({
          v: 1,
          tenant: ref.tenant,
          sessionId: ref.sessionId,
          reason: 'retry',
          dedupeKey: `restart:${refKey(ref)}:${broken.version}`,
        });
      }
      cursor = page.cursor;
    } while (cursor);
  }
  const messages = queue.reclaim(
    living.map((server) => server.incarnation),
    { leaseWaiters: living.length === 0 },
  );
  if (leases + messages > 0) {
    logger.info('took back the work of a server that stopped without finishing it', { leases, messages });
  }
  return {
    incarnation,
    leases,
    messages,
    others: living.length,
    release() {
      liveHere.delete(incarnation);
      queue.unregisterServer(incarnation);
    },
  };
}

function alive(server: ServerRecord): boolean {
  if (server.pid === process.pid) return liveHere.has(server.incarnation);
  try {
    process.kill(server.pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but is another user's.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
