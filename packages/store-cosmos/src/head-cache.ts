import type { Head } from '@baton/core';
import type { HeadDocument } from './documents.js';

export interface CachedHead {
  /** The head's version when it had `etag`; a commit expecting this version can use the ETag unread. */
  version: number;
  etag: string;
  contextStart: number;
  head: Head;
  /** As stored (without Cosmos's fields), to put back if a non-atomic server half-applies a batch. */
  document: HeadDocument;
}

/**
 * The last head this store instance read or wrote, per session. Core commits carry the expected
 * version, Cosmos conditions on the ETag: remembering which ETag belongs to which version saves a
 * read before every commit, and the known contextStart lets load fetch head and events in one query.
 * A wrong entry costs one failed condition (ConflictError), never a wrong write.
 */
export class HeadCache {
  private readonly entries = new Map<string, CachedHead>();

  constructor(private readonly capacity = 1000) {}

  get(pk: string): CachedHead | undefined {
    const entry = this.entries.get(pk);
    if (entry) {
      // Re-insert so the Map's insertion order doubles as least-recently-used order.
      this.entries.delete(pk);
      this.entries.set(pk, entry);
    }
    return entry;
  }

  set(pk: string, entry: CachedHead): void {
    this.entries.delete(pk);
    this.entries.set(pk, entry);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  delete(pk: string): void {
    this.entries.delete(pk);
  }
}
