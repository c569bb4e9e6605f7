import { EventTooLargeError } from '@baton/core';

/** DynamoDB's hard limits, in the units its documentation uses (KB = 1024 bytes). */
export const ITEM_BYTES = 400 * 1024;
export const TRANSACTION_BYTES = 4 * 1024 * 1024;
export const TRANSACTION_ACTIONS = 100;

/**
 * Room kept free in each item for what our size formula may not count exactly (DynamoDB documents
 * the Number size only approximately), so a split chunk never meets the limit by a few bytes.
 */
export const ITEM_SAFETY_BYTES = 1024;

/**
 * The largest event a commit accepts: 3 MB. It splits into at most 8 items and still leaves room in
 * the 4 MB transaction for a full-size head and dedupe record (400 KB each) and the keys.
 */
export const MAX_EVENT_BYTES = 3 * 1024 * 1024;

/** A stored item as Baton writes it: only strings and numbers. */
export type FlatItem = Record<string, string | number | undefined>;

/**
 * An item's size by DynamoDB's rules: UTF-8 bytes of each attribute name plus its value; a Number
 * takes about one byte per two significant digits plus one.
 */
export function itemBytes(item: FlatItem): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) {
    if (value === undefined) continue;
    bytes += Buffer.byteLength(name, 'utf8');
    bytes +=
      typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : Math.ceil(String(value).length / 2) + 1;
  }
  return bytes;
}

/**
 * A commit that cannot fit in one DynamoDB transaction (too many actions, too many bytes, or a head
 * or dedupe record larger than an item). It is an EventTooLargeError, so callers that handle
 * oversized events handle this too; nothing was sent.
 */
export class TransactionTooLargeError extends EventTooLargeError {
  constructor(bytes: number, limit: number, what: string) {
    super(bytes, limit);
    this.message = `${what}; nothing was written`;
  }
}
