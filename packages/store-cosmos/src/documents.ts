import { createHash } from 'node:crypto';
import type { ApiKeyRecord, JsonObject, SessionRef } from '@baton/core';
import type { DedupeRecord } from '@baton/core/store';

/**
 * The documents of one session, all in one logical partition (`pk`). Ids only need to be unique
 * within a partition, so they never contain the session id: the only user-controlled part of an id
 * is a dedupe key, and that is encoded. The core record rides nested under its own field, so the
 * envelope (id, pk, ttl, Cosmos system fields) never mixes with what core parses.
 */

interface Envelope {
  id: string;
  pk: string;
  /** Seconds; only honoured when the container has a defaultTtl. */
  ttl?: number;
  /** Epoch ms by the store's clock; reads hide documents past it (Cosmos deletes them later, the emulator never). */
  expiresAt?: number;
}

export interface HeadDocument extends Envelope {
  type: 'head';
  /** Copied from the head for cross-partition list queries. */
  tenant: string;
  sessionId: string;
  status: string;
  updatedAt: number;
  /** Present (true) only while the head may have pending work; the sweeper's query filters on it. */
  pending?: true;
  /** The head's stored record (core's headRecord), read back through parseHead. */
  head: JsonObject;
}

/** Where the events of a chunked bundle live: `count` chunk documents carrying `bytes` bytes. */
export interface ChunkRef {
  token: string;
  count: number;
  bytes: number;
}

/** The events of one commit (seq .. last), inline or split into chunk documents. */
export interface EventsDocument extends Envelope {
  type: 'events';
  seq: number;
  last: number;
  /** The events' stored records (core's eventRecords), read back through parseEvents. */
  events?: JsonObject[];
  parts?: ChunkRef;
}

/** A slice of a bundle's JSON (UTF-8, base64) written before the commit that makes it visible. */
export interface ChunkDocument extends Envelope {
  type: 'chunk';
  seq: number;
  token: string;
  index: number;
  data: string;
}

export interface DedupeDocument extends Envelope {
  type: 'dedupe';
  dedupe: DedupeRecord;
}

/**
 * The in-flight model call's output (core's LiveSnapshot), one per session under LIVE_ID, replaced
 * by each write. The snapshot rides as a JSON string in `data`, a path the indexing policy
 * excludes, so a write pays for indexing its envelope only; no session query selects its type.
 */
export interface LiveDocument extends Envelope {
  type: 'live';
  data: string;
}

export const LIVE_ID = 'live';
/** The session's live watch (LiveStore.watch), a LiveDocument whose `data` is the `until` in epoch ms. */
export const LIVE_WATCH_ID = 'live-watch';

export type SessionDocument = HeadDocument | EventsDocument | ChunkDocument | DedupeDocument | LiveDocument;

/**
 * An API key, in the partition API_KEYS_PK beside every session's: a session's partition key is a
 * JSON array (it starts with '['), this one is not, so no tenant or session id reaches it. Its
 * type is in no session query's filter, and it has no ttl: keys never expire.
 */
export interface ApiKeyDocument extends Envelope {
  type: 'apikey';
  /** Copied from the record for the list query's filter and order. */
  tenant: string;
  keyId: string;
  createdAt: number;
  key: ApiKeyRecord;
}

export const API_KEYS_PK = 'apikeys';

/** A key's id: the keyId encoded like a dedupe key (any keyId gives a valid id, never a collision). */
export function apiKeyId(keyId: string): string {
  return encodedId('k', keyId);
}

export const HEAD_ID = 'head';

/** The partition key value: tenant and session id, unambiguous whatever either contains. */
export function partitionKeyOf(ref: SessionRef): string {
  return JSON.stringify([ref.tenant, ref.sessionId]);
}

export function eventsId(firstSeq: number): string {
  return `e.${firstSeq}`;
}

export function chunkId(firstSeq: number, token: string, index: number): string {
  return `c.${firstSeq}.${token}.${index}`;
}

// Cosmos ids are at most 255 characters; longer keys are hashed (the record keeps the real key).
const MAX_ENCODED_KEY = 200;

// With the u flag this matches only unpaired surrogates, which UTF-8 cannot carry (they would all
// become U+FFFD, and different keys the same id).
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** base64url never produces '/', '\\', '#', '?' or control characters, and never a '.'. */
export function dedupeId(dedupeKey: string): string {
  return encodedId('d', dedupeKey);
}

function encodedId(prefix: string, key: string): string {
  if (!LONE_SURROGATE.test(key)) {
    const encoded = Buffer.from(key, 'utf8').toString('base64url');
    if (encoded.length <= MAX_ENCODED_KEY) return `${prefix}.${encoded}`;
  }
  // UTF-16 code units hash every string losslessly.
  return `${prefix}h.${createHash('sha256').update(Buffer.from(key, 'utf16le')).digest('base64url')}`;
}

// Control characters and the four characters Cosmos forbids in ids.
const UNSAFE_ID = /[/\\#?\p{Cc}]/u;

/** True when Cosmos accepts `id` as a document id. */
export function isSafeId(id: string): boolean {
  return id.length > 0 && id.length <= 255 && !UNSAFE_ID.test(id) && id.trim() === id;
}

/** Whether a document is past its expiry by the store's clock (Cosmos hides such items; the emulator does not). */
export function isExpired(document: { expiresAt?: number } | null | undefined, now: number): boolean {
  return typeof document?.expiresAt === 'number' && document.expiresAt <= now;
}
