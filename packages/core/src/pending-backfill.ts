import type { Clock } from './clock.js';
import { ValidationError } from './errors.js';

/**
 * The one-off backfill of the pending index that stores written before it need (DynamoDB, Cosmos
 * DB: `backfillPendingIndex` in each store package). Its options and progress are one contract, so
 * the CLI (`baton migrate pending-index`) drives any store the same way.
 */
export interface PendingBackfillOptions {
  /** Heads read per page (the store's request limit): what one page costs at most. Default 100. */
  pageSize?: number;
  /** The `resumeToken` of an earlier run: carries on after the last page that run finished. */
  startKey?: string;
  /** Stop after this many pages (the progress then holds a resumeToken). Default: run to the end. */
  maxPages?: number;
  /** Called after every page with the totals so far and the token to resume after that page. */
  onPage?: (progress: PendingBackfillProgress) => void;
  /** Decides which heads are expired (skipped). */
  clock?: Clock;
}

/** Running totals of a backfill. */
export interface PendingBackfillProgress {
  pages: number;
  /** Heads the store read (which ones depends on what its index lets it skip). */
  headsRead: number;
  /** Heads with pending work (hasPendingWork) among them. */
  pending: number;
  /** Pending heads this run gave their marker. */
  marked: number;
  /** Pending heads that had the marker already (written by a commit, or an earlier run). */
  alreadyMarked: number;
  /** Heads that changed (or went) between the read and the write: their own commit decides the marker. */
  movedOn: number;
  /** Heads whose record cannot be read (corrupt, or from a newer Baton); left as they are. */
  unreadable: number;
  /** Where to resume (`startKey`); absent once every head has been read. */
  resumeToken?: string;
}

const DEFAULT_PAGE_SIZE = 100;

/**
 * The page size a backfill runs with (a positive integer, default 100) and its zeroed totals.
 *
 * @example
 * const { pageSize, progress } = startBackfill(options);
 */
export function startBackfill(options: PendingBackfillOptions): {
  pageSize: number;
  progress: PendingBackfillProgress;
} {
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1) {
    throw new ValidationError('pageSize must be a positive integer', { field: 'pageSize' });
  }
  return {
    pageSize,
    progress: { pages: 0, headsRead: 0, pending: 0, marked: 0, alreadyMarked: 0, movedOn: 0, unreadable: 0 },
  };
}
