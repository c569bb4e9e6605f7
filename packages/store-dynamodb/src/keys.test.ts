import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  API_KEY_PREFIX,
  API_KEYS_PK,
  apiKeySortKey,
  chunkKey,
  dedupeKey,
  EVENTS_END,
  encodeSessionId,
  eventKey,
  HEAD_SK,
  listSortKey,
  parseEventKey,
  partitionKey,
} from './keys.js';

describe('partitionKey', () => {
  it('keeps readable ids readable', () => {
    expect(partitionKey({ tenant: 'acme', sessionId: 'slack/T1/C2/1700000000.0001' })).toBe(
      'acme#slack/T1/C2/1700000000.0001',
    );
  });

  it('gives distinct keys to ids that differ only in escaped characters', () => {
    const ids = [
      'a#b',
      'a%23b',
      'a%b',
      'a%25b',
      'a\u0000b',
      'a%00b',
      '\ud800',
      '\udc00',
      '%uD800',
      '\ud83d\ude80',
    ];
    const keys = ids.map((sessionId) => partitionKey({ tenant: 't', sessionId }));
    expect(new Set(keys).size).toBe(ids.length);
  });

  it('never puts a # in the encoded id, so the tenant boundary is unambiguous', () => {
    expect(partitionKey({ tenant: 'a#b', sessionId: 'c' })).not.toBe(
      partitionKey({ tenant: 'a', sessionId: 'b#c' }),
    );
    expect(encodeSessionId('x#y#z')).not.toContain('#');
  });

  it('encodes lone surrogates instead of letting them become U+FFFD', () => {
    expect(encodeSessionId('a\ud800')).toBe('a%uD800');
    expect(encodeSessionId('🚀')).toBe('🚀');
  });

  it('stays under the 2048-byte partition key limit for the longest valid id', () => {
    const worst = '\ud800'.repeat(256);
    const key = partitionKey({ tenant: 't'.repeat(128), sessionId: worst });
    expect(Buffer.byteLength(key, 'utf8')).toBeLessThanOrEqual(2048);
  });
});

describe('sort keys', () => {
  it('orders events by seq, each chunk right after its event, and the head after all of them', () => {
    const keys = [
      HEAD_SK,
      eventKey(10),
      chunkKey(9, 2),
      eventKey(9),
      chunkKey(9, 1),
      eventKey(100),
      dedupeKey('k'),
    ];
    expect([...keys].sort()).toEqual([
      dedupeKey('k'),
      eventKey(9),
      chunkKey(9, 1),
      chunkKey(9, 2),
      eventKey(10),
      eventKey(100),
      HEAD_SK,
    ]);
    expect(eventKey(Number.MAX_SAFE_INTEGER) < EVENTS_END).toBe(true);
    expect(EVENTS_END < HEAD_SK).toBe(true);
  });

  it('parses event and chunk keys back and ignores other keys', () => {
    expect(parseEventKey(eventKey(42))).toEqual({ seq: 42, part: 0 });
    expect(parseEventKey(chunkKey(42, 3))).toEqual({ seq: 42, part: 3 });
    expect(parseEventKey(HEAD_SK)).toBeNull();
  });

  it('hashes dedupe keys to a fixed length', () => {
    expect(dedupeKey('x'.repeat(5000))).toHaveLength(2 + 64);
    expect(dedupeKey('a')).not.toBe(dedupeKey('b'));
  });

  it('sorts the list index newest first', () => {
    const ref = { tenant: 't', sessionId: 's' };
    expect(listSortKey(ref, 2_000) < listSortKey(ref, 1_000)).toBe(true);
  });

  it('refuses a sequence number it cannot pad', () => {
    expect(() => eventKey(-1)).toThrow(RangeError);
    expect(() => eventKey(1.5)).toThrow(RangeError);
  });
});

describe('API key keys', () => {
  it('never produces the key partition from any tenant and session id', () => {
    const named = ['apikeys', 'apikey', 'apikeys#', '#apikeys', '', 'K', '__keys'];
    for (const tenant of named) {
      for (const sessionId of named) expect(partitionKey({ tenant, sessionId })).not.toBe(API_KEYS_PK);
    }
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (tenant, sessionId) => {
        const pk = partitionKey({ tenant, sessionId });
        // Every session partition holds the tenant boundary; the key partition has no '#' at all.
        expect(pk).toContain('#');
        expect(pk).not.toBe(API_KEYS_PK);
      }),
      { numRuns: 2000 },
    );
    expect(API_KEYS_PK).not.toContain('#');
  });

  it('gives distinct sort keys to keyIds that differ only in escaped characters', () => {
    const ids = ['a#b', 'a%23b', 'a%b', 'a\u0000b', '\ud800', '\udc00', '%uD800', 'A', 'a'];
    const keys = ids.map(apiKeySortKey);
    expect(new Set(keys).size).toBe(ids.length);
    expect(keys.every((key) => key.startsWith(API_KEY_PREFIX))).toBe(true);
  });
});
