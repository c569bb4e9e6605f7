import type { ApiKeyRecord, ApiKeyStore } from './auth/api-key-store.js';
import { type Clock, systemClock } from './clock.js';
import { ConflictError, DuplicateError, EventTooLargeError } from './errors.js';
import type { SessionEvent } from './events.js';
import { type Head, hasPendingWork, sameIncarnation } from './head.js';
import { jsonBytes } from './json.js';
import { fitLiveSnapshot, parseLiveSnapshot } from './live/live-snapshot-size.js';
import type { LiveStore } from './live/live-store.js';
import { eventNeededBefore, parseDedupe, parseEvents, parseHead } from './migrate.js';
import { eventRecords, headRecord } from './record-codec.js';
import { refKey, type SessionRef } from './session-ref.js';
import type {
  CommitRequest,
  DedupeRecord,
  ListPage,
  ListQuery,
  PendingQuery,
  SessionSnapshot,
  SessionStore,
  StoreLimits,
} from './store.js';

/**
 * An in-memory store for unit tests of core logic. Records are stored as JSON strings so a test
 * sees exactly what a real store would give back. Never used by `npm start` or integration tests.
 */
export class MemoryStore implements SessionStore {
  readonly name = 'memory';
  readonly limits: StoreLimits;
  /** Writes counted for tests that assert O(1) writes per step. */
  readonly stats = { commits: 0, eventsWritten: 0, bytesWritten: 0, reads: 0, liveWrites: 0 };
  private readonly sessions = new Map<
    string,
    { head: string; events: string[]; dedupe: Map<string, string> }
  >();
  /** Keyed by keyId, apart from every session, as JSON strings like the sessions. */
  private readonly keys = new Map<string, string>();
  readonly apiKeys: ApiKeyStore = memoryApiKeys(this.keys, this.stats);
  /** Live snapshots as JSON strings, one per session, outside its log (never counted as commits). */
  private readonly snapshots = new Map<string, string>();
  /** Each session's watch `until` (LiveStore.watch), beside its snapshot. */
  private readonly watches = new Map<string, number>();
  readonly live: LiveStore;

  constructor(options: { maxEventBytes?: number; clock?: Clock } = {}) {
    this.limits = { maxEventBytes: options.maxEventBytes ?? 4 * 1024 * 1024 };
    this.live = memoryLive(this.snapshots, this.watches, this.stats, options.clock ?? systemClock);
  }

  async load(ref: SessionRef): Promise<SessionSnapshot | null> {
    this.stats.reads++;
    const stored = this.sessions.get(refKey(ref));
    if (!stored) return null;
    const head = parseHead(JSON.parse(stored.head));
    // Events are numbered from 1 without gaps, so the live context is a slice.
    return { head, events: eventsFrom(stored.events, Math.max(0, head.contextStart - 1)) };
  }

  async readHead(ref: SessionRef): Promise<Head | null> {
    this.stats.reads++;
    const stored = this.sessions.get(refKey(ref));
    return stored ? parseHead(JSON.parse(stored.head)) : null;
  }

  async readEvents(
    ref: SessionRef,
    options: { afterSeq?: number; limit?: number } = {},
  ): Promise<SessionEvent[]> {
    this.stats.reads++;
    const stored = this.sessions.get(refKey(ref));
    if (!stored) return [];
    const from = Math.max(0, options.afterSeq ?? 0);
    const to = options.limit === undefined ? undefined : from + options.limit;
    return eventsFrom(stored.events, from, to);
  }

  async getDedupe(ref: SessionRef, dedupeKey: string): Promise<DedupeRecord | null> {
    this.stats.reads++;
    const record = this.sessions.get(refKey(ref))?.dedupe.get(dedupeKey);
    return record ? parseDedupe(JSON.parse(record)) : null;
  }

  async commit(request: CommitRequest): Promise<void> {
    const key = refKey(request.ref);
    for (const event of request.events) {
      const bytes = jsonBytes(event);
      if (bytes > this.limits.maxEventBytes) throw new EventTooLargeError(bytes, this.limits.maxEventBytes);
    }
    const stored = this.sessions.get(key);
    const current = stored ? parseHead(JSON.parse(stored.head)) : null;
    if ((current?.version ?? null) !== request.expectedVersion) throw new ConflictError();
    if (current && !sameIncarnation(current, request.head)) {
      throw new ConflictError('the session was deleted and created again since this head was read');
    }
    if (request.dedupe && stored?.dedupe.has(request.dedupe.dedupeKey)) {
      throw new DuplicateError(parseDedupe(JSON.parse(stored.dedupe.get(request.dedupe.dedupeKey)!)));
    }
    const next = stored ?? { head: '', events: [], dedupe: new Map<string, string>() };
    next.head = JSON.stringify(headRecord(request.head));
    const events = eventRecords(request.events).map((record) => JSON.stringify(record));
    next.events.push(...events);
    if (request.dedupe) {
      const record: DedupeRecord = { v: request.head.v, ...request.dedupe, at: request.head.updatedAt };
      next.dedupe.set(request.dedupe.dedupeKey, JSON.stringify(record));
    }
    this.sessions.set(key, next);
    this.stats.commits++;
    this.stats.eventsWritten += request.events.length;
    this.stats.bytesWritten +=
      Buffer.byteLength(next.head) + events.reduce((sum, event) => sum + Buffer.byteLength(event), 0);
  }

  async list(query: ListQuery = {}): Promise<ListPage> {
    const heads = [...this.sessions.values()]
      .map((entry) => parseHead(JSON.parse(entry.head)))
      .filter(
        (head) =>
          (query.tenant === undefined || head.tenant === query.tenant) &&
          (query.status === undefined || head.status === query.status),
      )
      .sort((a, b) => b.updatedAt - a.updatedAt || refKey(a).localeCompare(refKey(b)));
    const start = query.cursor ? Number(query.cursor) : 0;
    const limit = query.limit ?? 50;
    const page = heads.slice(start, start + limit);
    return start + limit < heads.length
      ? { sessions: page, cursor: String(start + limit) }
      : { sessions: page };
  }

  /** A filter over every session: the memory store has no index to keep. */
  async listPending(query: PendingQuery = {}): Promise<ListPage> {
    this.stats.reads++;
    const heads = [...this.sessions.values()]
      .map((entry) => parseHead(JSON.parse(entry.head)))
      .filter(hasPendingWork)
      .sort((a, b) => a.updatedAt - b.updatedAt || refKey(a).localeCompare(refKey(b)));
    const start = query.cursor ? Number(query.cursor) : 0;
    const limit = query.limit ?? 50;
    const page = heads.slice(start, start + limit);
    return start + limit < heads.length
      ? { sessions: page, cursor: String(start + limit) }
      : { sessions: page };
  }

  async delete(ref: SessionRef): Promise<void> {
    this.sessions.delete(refKey(ref));
    this.snapshots.delete(refKey(ref));
    this.watches.delete(refKey(ref));
  }
}

function memoryLive(
  snapshots: Map<string, string>,
  watches: Map<string, number>,
  stats: { reads: number; liveWrites: number },
  clock: Clock,
): LiveStore {
  return {
    async write(ref, snapshot) {
      snapshots.set(refKey(ref), JSON.stringify(fitLiveSnapshot(snapshot)));
      stats.liveWrites++;
    },
    async read(ref) {
      stats.reads++;
      const stored = snapshots.get(refKey(ref));
      if (stored === undefined) return null;
      const snapshot = parseLiveSnapshot(JSON.parse(stored));
      return snapshot.expiresAt > clock.now() ? snapshot : null;
    },
    async clear(ref) {
      snapshots.delete(refKey(ref));
    },
    async watch(ref, until) {
      watches.set(refKey(ref), until);
      stats.liveWrites++;
    },
    async watchedUntil(ref) {
      stats.reads++;
      const until = watches.get(refKey(ref));
      return until !== undefined && until > clock.now() ? until : null;
    },
  };
}

function memoryApiKeys(keys: Map<string, string>, stats: { reads: number; commits: number }): ApiKeyStore {
  const read = (keyId: string): ApiKeyRecord | null => {
    const stored = keys.get(keyId);
    return stored === undefined ? null : (JSON.parse(stored) as ApiKeyRecord);
  };
  return {
    async createApiKey(record) {
      if (keys.has(record.keyId)) throw new ConflictError(`API key ${record.keyId} exists already`);
      keys.set(record.keyId, JSON.stringify(record));
      stats.commits++;
    },
    async getApiKey(keyId) {
      stats.reads++;
      return read(keyId);
    },
    async listApiKeys(query = {}) {
      stats.reads++;
      return [...keys.keys()]
        .map((keyId) => read(keyId)!)
        .filter((record) => query.tenant === undefined || record.tenant === query.tenant)
        .sort(byCreation);
    },
    async revokeApiKey(keyId, at) {
      const record = read(keyId);
      if (!record) return null;
      const revoked = { ...record, revokedAt: record.revokedAt ?? at };
      keys.set(keyId, JSON.stringify(revoked));
      stats.commits++;
      return revoked;
    },
  };
}

/** The order `listApiKeys` promises: createdAt, then keyId. */
function byCreation(a: ApiKeyRecord, b: ApiKeyRecord): number {
  return a.createdAt - b.createdAt || (a.keyId < b.keyId ? -1 : a.keyId > b.keyId ? 1 : 0);
}

/** Parses stored events[from..to), with the one before when the first needs it (parseEvents). */
function eventsFrom(events: readonly string[], from: number, to?: number): SessionEvent[] {
  const records = events.slice(from, to).map((event) => JSON.parse(event) as unknown);
  const needed = eventNeededBefore(records);
  const before = needed === null ? undefined : parseEvents([JSON.parse(events[needed - 1] ?? 'null')])[0];
  return parseEvents(records, before);
}
