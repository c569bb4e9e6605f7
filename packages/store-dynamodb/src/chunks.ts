import { BatonError } from '@baton/core';
import { parseEventKey } from './keys.js';

/**
 * Splits text into pieces of at most `maxBytes` UTF-8 bytes without cutting a character, so that
 * joining the pieces gives back exactly the original text.
 */
export function splitUtf8(text: string, maxBytes: number): string[] {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return [text];
  if (maxBytes < 4) throw new RangeError(`cannot split into pieces of ${maxBytes} bytes`);
  const pieces: string[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = Math.min(start + maxBytes, bytes.length);
    // A byte of the form 10xxxxxx continues a character: back off to where the character starts.
    while (end < bytes.length && (bytes[end]! & 0xc0) === 0x80) end--;
    pieces.push(bytes.subarray(start, end).toString('utf8'));
    start = end;
  }
  return pieces;
}

/** What the assembler needs of an item read back. */
export interface EventPiece {
  sk: string;
  data: string;
  chunks?: number | undefined;
}

/**
 * Turns event items, in ascending key order, back into one JSON text per event. Items may arrive
 * over several pages; a chunk that does not follow its event in order means the partition is
 * damaged, which is reported rather than returned as a shorter event.
 */
export class EventAssembler {
  private readonly complete: string[] = [];
  private pending: { seq: number; expected: number; parts: string[] } | null = null;

  push(item: EventPiece): void {
    const key = parseEventKey(item.sk);
    if (!key) return;
    if (key.part === 0) {
      this.assertNothingPending();
      const expected = item.chunks ?? 1;
      if (expected > 1) this.pending = { seq: key.seq, expected, parts: [item.data] };
      else this.complete.push(item.data);
      return;
    }
    const pending = this.pending;
    if (!pending || pending.seq !== key.seq || pending.parts.length !== key.part) {
      throw new CorruptRecordError(`chunk ${key.part} of event ${key.seq} has no event before it`);
    }
    pending.parts.push(item.data);
    if (pending.parts.length === pending.expected) {
      this.complete.push(pending.parts.join(''));
      this.pending = null;
    }
  }

  /** Complete events so far (an event whose chunks are still to come is not counted). */
  get count(): number {
    return this.complete.length;
  }

  /** Chunks still to come for the event in progress (0 when none is). */
  get missingChunks(): number {
    return this.pending ? this.pending.expected - this.pending.parts.length : 0;
  }

  /** The complete events, when the caller stopped reading on purpose before the end. */
  completed(): string[] {
    return this.complete;
  }

  /** The events at the end of the data: an event still missing chunks is an error here. */
  finish(): string[] {
    this.assertNothingPending();
    return this.complete;
  }

  private assertNothingPending(): void {
    if (this.pending) {
      const { seq, expected, parts } = this.pending;
      throw new CorruptRecordError(`event ${seq} has ${parts.length} of its ${expected} chunks`);
    }
  }
}

/** The stored items of a session contradict each other or do not parse; retrying cannot help. */
export class CorruptRecordError extends BatonError {
  constructor(message: string, cause?: unknown) {
    super('corrupt_record', `DynamoDB store: ${message}`, { retryable: false, status: 500, cause });
  }
}

/** JSON.parse of an item's data, failing with CorruptRecordError instead of a bare SyntaxError. */
export function parseItemJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CorruptRecordError('an item holds data that is not valid JSON', error);
  }
}
