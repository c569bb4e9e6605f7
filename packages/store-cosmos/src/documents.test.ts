import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chunkId, dedupeId, eventsId, HEAD_ID, isExpired, isSafeId, partitionKeyOf } from './documents.js';

describe('document ids', () => {
  it('produces ids Cosmos accepts when dedupe keys hold any characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (key) => {
        expect(isSafeId(dedupeId(key))).toBe(true);
      }),
    );
    for (const key of ['a/b', 'a\\b', 'a#b', 'a?b', 'tab\there', 'nl\n', ' padded ', '', 'é'.repeat(300)]) {
      expect(isSafeId(dedupeId(key))).toBe(true);
    }
  });

  it('gives different dedupe keys different ids when they are encoded or hashed', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (a, b) => {
        fc.pre(a !== b);
        expect(dedupeId(a)).not.toBe(dedupeId(b));
      }),
    );
    // Unpaired surrogates all become U+FFFD in UTF-8; they must not share an id.
    expect(dedupeId('\uD800')).not.toBe(dedupeId('\uD801'));
    const long = 'k'.repeat(400);
    expect(dedupeId(long)).toMatch(/^dh\./);
    expect(dedupeId(long)).not.toBe(dedupeId(`${long}!`));
  });

  it('uses only safe fixed ids for the head, events and chunks', () => {
    for (const id of [HEAD_ID, eventsId(1), eventsId(123_456_789), chunkId(42, 'AbC-_9', 7)]) {
      expect(isSafeId(id)).toBe(true);
    }
  });

  it('rejects the characters Cosmos forbids when checking an id', () => {
    for (const id of ['a/b', 'a\\b', 'a#b', 'a?b', 'a\u0000b', 'a\u007fb', '', ' x', 'x'.repeat(256)]) {
      expect(isSafeId(id)).toBe(false);
    }
  });
});

describe('partitionKeyOf', () => {
  it('keeps tenant and session apart when a separator appears in either', () => {
    const pairs = [
      [
        { tenant: 'a/b', sessionId: 'c' },
        { tenant: 'a', sessionId: 'b/c' },
      ],
      [
        { tenant: 'a:s', sessionId: 'y' },
        { tenant: 'a', sessionId: 's:y' },
      ],
      [
        { tenant: 'a', sessionId: '","b' },
        { tenant: 'a","', sessionId: 'b' },
      ],
    ];
    for (const [first, second] of pairs) expect(partitionKeyOf(first!)).not.toBe(partitionKeyOf(second!));
  });

  it('fits version 2 partition keys when the session id is the longest the core accepts', () => {
    const key = partitionKeyOf({ tenant: 't'.repeat(128), sessionId: '🚀'.repeat(128) });
    expect(Buffer.byteLength(key, 'utf8')).toBeLessThanOrEqual(2048);
  });
});

describe('isExpired', () => {
  it('treats documents without expiresAt as never expiring', () => {
    expect(isExpired({}, Number.MAX_SAFE_INTEGER)).toBe(false);
    expect(isExpired(null, 0)).toBe(false);
  });

  it('hides a document from the moment its expiry is reached', () => {
    expect(isExpired({ expiresAt: 1000 }, 999)).toBe(false);
    expect(isExpired({ expiresAt: 1000 }, 1000)).toBe(true);
  });
});
