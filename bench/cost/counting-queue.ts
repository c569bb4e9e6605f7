import { jsonBytes, type RunMessage, type RunQueue } from '@baton/core';
import type { RequestUnits } from './units.js';

const CHUNK_BYTES = 64 * 1024;

/**
 * A run queue that delivers nothing and counts what Baton enqueued: on a cloud each message is a
 * send, a receive and a delete (SQS bills each 64 KB chunk of a payload as one request).
 *
 * @example
 * const queue = countingQueue(); createBaton({ queue, ... }); queue.read().enqueues;
 */
export function countingQueue(): RunQueue & { read(): Pick<RequestUnits, 'enqueues' | 'enqueuedChunks'> } {
  const totals = { enqueues: 0, enqueuedChunks: 0 };
  return {
    async enqueue(message: RunMessage): Promise<void> {
      totals.enqueues++;
      totals.enqueuedChunks += Math.max(1, Math.ceil(jsonBytes(message) / CHUNK_BYTES));
    },
    read: () => ({ ...totals }),
  };
}
