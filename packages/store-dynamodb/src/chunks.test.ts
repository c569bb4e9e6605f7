import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CorruptRecordError, EventAssembler, splitUtf8 } from './chunks.js';
import { chunkKey, eventKey } from './keys.js';

describe('splitUtf8', () => {
  it('returns the text whole when it fits', () => {
    expect(splitUtf8('héllo', 6)).toEqual(['héllo']);
  });

  it('never cuts a multi-byte character', () => {
    const pieces = splitUtf8('a🚀🚀', 4);
    expect(pieces).toEqual(['a', '🚀', '🚀']);
  });

  it('joins back to the original text with every piece within the limit', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 200 }),
        fc.integer({ min: 4, max: 40 }),
        (text, max) => {
          const json = JSON.stringify(text);
          const pieces = splitUtf8(json, max);
          expect(pieces.join('')).toBe(json);
          for (const piece of pieces) expect(Buffer.byteLength(piece, 'utf8')).toBeLessThanOrEqual(max);
        },
      ),
    );
  });
});

describe('EventAssembler', () => {
  it('joins an event from its chunks in key order', () => {
    const assembler = new EventAssembler();
    assembler.push({ sk: eventKey(1), data: 'one' });
    assembler.push({ sk: eventKey(2), data: 'tw', chunks: 3 });
    assembler.push({ sk: chunkKey(2, 1), data: 'o-' });
    expect(assembler.missingChunks).toBe(1);
    assembler.push({ sk: chunkKey(2, 2), data: 'parts' });
    assembler.push({ sk: eventKey(3), data: 'three' });
    expect(assembler.finish()).toEqual(['one', 'two-parts', 'three']);
  });

  it('throws CorruptRecordError when an event ends without all its chunks', () => {
    const assembler = new EventAssembler();
    assembler.push({ sk: eventKey(1), data: 'a', chunks: 2 });
    expect(() => assembler.push({ sk: eventKey(2), data: 'b' })).toThrow(CorruptRecordError);
  });

  it('throws CorruptRecordError when a chunk arrives without its event', () => {
    expect(() => new EventAssembler().push({ sk: chunkKey(4, 1), data: 'x' })).toThrow(CorruptRecordError);
  });

  it('keeps the complete events when reading stopped inside a chunked one', () => {
    const assembler = new EventAssembler();
    assembler.push({ sk: eventKey(1), data: 'a' });
    assembler.push({ sk: eventKey(2), data: 'b', chunks: 2 });
    expect(assembler.completed()).toEqual(['a']);
    expect(() => assembler.finish()).toThrow(CorruptRecordError);
  });
});
