import { createHash } from 'node:crypto';
import type { SessionRef } from '@baton/core';

/**
 * Item keys of the single Baton table. One partition per session; inside it the sort keys are
 * laid out so that one descending Query starting at the head walks straight into the newest events:
 *
 *   D#<sha256 of dedupe key>      dedupe records   (sort below every event, never in a load's range)
 *   E#<seq, 16 digits>            an event         (zero-padded so string order is seq order)
 *   E#<seq, 16 digits>#<part>     its extra chunks (right after their event, before the next one)
 *   H                             the head         ('H' sorts after every 'E#...')
 *   L                             the live snapshot (outside every range a read asks for)
 *   LW                            the live watch    (likewise)
 */

export const HEAD_SK = 'H';
/**
 * The session's live snapshot (core's LiveStore): 'L' sorts after the head, so neither a load
 * (E#… to H) nor an event range (E#… to E#~) ever reads it; a delete's whole-partition Query does.
 */
export const LIVE_SK = 'L';
/** The session's live watch (LiveStore.watch): beside the snapshot so its writes never replace it. */
export const LIVE_WATCH_SK = 'LW';
export const EVENT_PREFIX = 'E#';
export const DEDUPE_PREFIX = 'D#';
/** Sorts after every event and chunk key: the upper bound of an event range. */
export const EVENTS_END = 'E#~';

/**
 * The one partition holding every API key. Every session's partition key contains a '#' (the one
 * between tenant and encoded id) and this one has none, so no tenant or session id can produce it,
 * and deleting or loading a session never reaches a key.
 */
export const API_KEYS_PK = 'apikeys';
export const API_KEY_PREFIX = 'K#';

/** A key's sort key in API_KEYS_PK: the keyId, escaped like a session id (no lone surrogates merge). */
export function apiKeySortKey(keyId: string): string {
  return `${API_KEY_PREFIX}${encodeSessionId(keyId)}`;
}

/** Digits of Number.MAX_SAFE_INTEGER, so every sequence number a Head can hold pads the same way. */
const SEQ_DIGITS = 16;
const PART_DIGITS = 3;

/**
 * The partition key of a session. The tenant goes in as is (core restricts it to letters, digits,
 * '.', '_', ':', '-'); the session id is escaped so it never contains '#', which keeps the key
 * injective for any tenant string, and stays readable in the console.
 */
export function partitionKey(ref: SessionRef): string {
  return `${ref.tenant}#${encodeSessionId(ref.sessionId)}`;
}

/**
 * Escapes '%', '#', control characters and lone surrogates (which UTF-8 cannot carry and the SDK
 * would silently turn into U+FFFD, merging distinct ids). Everything else, including '/' and '\',
 * is kept: DynamoDB keys are arbitrary UTF-8. A 256-character id stays under the 2048-byte limit.
 */
export function encodeSessionId(sessionId: string): string {
  let out = '';
  for (let i = 0; i < sessionId.length; i++) {
    const unit = sessionId.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = sessionId.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += sessionId[i]! + sessionId[i + 1]!;
        i++;
        continue;
      }
    }
    if (unit >= 0xd800 && unit <= 0xdfff) {
      out += `%u${hex(unit, 4)}`;
    } else if (unit < 0x20 || (unit >= 0x7f && unit <= 0x9f) || unit === 0x25 || unit === 0x23) {
      out += `%${hex(unit, 2)}`;
    } else {
      out += sessionId[i]!;
    }
  }
  return out;
}

export function eventKey(seq: number): string {
  return `${EVENT_PREFIX}${pad(seq, SEQ_DIGITS)}`;
}

/** The key of the `part`-th extra chunk (1-based; part 0 lives on the event's own item). */
export function chunkKey(seq: number, part: number): string {
  return `${eventKey(seq)}#${pad(part, PART_DIGITS)}`;
}

/** Hashed so any dedupe key (a user's Idempotency-Key header included) fits the 1024-byte sort key. */
export function dedupeKey(key: string): string {
  return `${DEDUPE_PREFIX}${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}

/** Parses an event or chunk sort key; null for any other item. */
export function parseEventKey(sk: string): { seq: number; part: number } | null {
  if (!sk.startsWith(EVENT_PREFIX)) return null;
  const [seq, part] = sk.slice(EVENT_PREFIX.length).split('#');
  return { seq: Number(seq), part: part === undefined ? 0 : Number(part) };
}

/**
 * The list index's sort key: newest first when read in ascending order (the time is inverted), and
 * sessions updated in the same millisecond in a stable order by id.
 */
export function listSortKey(ref: SessionRef, updatedAt: number): string {
  return `${pad(Number.MAX_SAFE_INTEGER - updatedAt, SEQ_DIGITS)}#${encodeSessionId(ref.sessionId)}`;
}

function pad(value: number, digits: number): string {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`cannot encode ${value} in a sort key`);
  return String(value).padStart(digits, '0');
}

function hex(value: number, digits: number): string {
  return value.toString(16).toUpperCase().padStart(digits, '0');
}

/**
 * The pending index's partition key of a session: one of PENDING_SHARDS values, fixed per session
 * (a hash of its key), so its index entry stays in place while it works.
 */
export function pendingShardKey(ref: SessionRef, shards: number): string {
  const hash = createHash('sha256').update(partitionKey(ref), 'utf8').digest();
  return pendingShard(hash.readUInt32BE(0) % shards);
}

export function pendingShard(shard: number): string {
  return `P#${shard}`;
}
