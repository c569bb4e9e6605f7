import type { RecordOutcome } from './sqs-disposition.js';

export interface BatchItem {
  /** The SQS message id: what batchItemFailures reports. */
  id: string;
  /** Items of one group run one after another, in batch order; groups run in parallel. */
  group: string;
}

export interface BatchOptions {
  /**
   * FIFO queues: after a failure the rest of its group is reported failed without running, so SQS
   * redelivers the group in order (Lambda's rule for partial batch responses on FIFO queues).
   */
  fifo: boolean;
  /** Groups run at most this many at a time. */
  concurrency: number;
}

/**
 * Runs a batch with one session's records in sequence and different sessions in parallel, and
 * returns the ids to report as batchItemFailures. `run` should not throw; if it does, the item is
 * failed, never its neighbours.
 *
 * @example
 * const failed = await runBatch(items, (item) => processRecord(item.record), { fifo: false, concurrency: 10 });
 */
export async function runBatch<T extends BatchItem>(
  items: readonly T[],
  run: (item: T) => Promise<RecordOutcome>,
  options: BatchOptions,
): Promise<string[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(item.group);
    if (group) group.push(item);
    else groups.set(item.group, [item]);
  }
  const failed = new Set<string>();
  const runGroup = async (group: T[]) => {
    let blocked = false;
    for (const item of group) {
      if (blocked) {
        failed.add(item.id);
        continue;
      }
      const outcome = await run(item).catch((): RecordOutcome => 'failed');
      if (outcome === 'failed') {
        failed.add(item.id);
        blocked = options.fifo;
      }
    }
  };
  const pending = [...groups.values()];
  const lanes = Array.from(
    { length: Math.max(1, Math.min(options.concurrency, pending.length)) },
    async () => {
      for (let group = pending.shift(); group; group = pending.shift()) await runGroup(group);
    },
  );
  await Promise.all(lanes);
  // In batch order, which is what a reader of the response expects.
  return items.filter((item) => failed.has(item.id)).map((item) => item.id);
}
