import { describe, expect, it } from 'vitest';
import { type BatchItem, runBatch } from './sqs-batch.js';
import type { RecordOutcome } from './sqs-disposition.js';

/** Yields to the event loop once, so anything else ready to run gets its turn (no time passes). */
const yieldOnce = () => new Promise<void>((resolve) => setImmediate(resolve));

function recorder(outcomes: Record<string, RecordOutcome | 'throw'> = {}) {
  const log: string[] = [];
  const run = async (item: BatchItem) => {
    log.push(`start ${item.id}`);
    await yieldOnce();
    log.push(`end ${item.id}`);
    const outcome = outcomes[item.id] ?? 'done';
    if (outcome === 'throw') throw new Error('boom');
    return outcome;
  };
  return { log, run };
}

describe('runBatch', () => {
  it('runs one group in order and different groups in parallel', async () => {
    const { log, run } = recorder();
    const items = [
      { id: 'a1', group: 'a' },
      { id: 'b1', group: 'b' },
      { id: 'a2', group: 'a' },
    ];
    expect(await runBatch(items, run, { fifo: false, concurrency: 10 })).toEqual([]);
    // b1 starts while a1 is still running; a2 waits for a1.
    expect(log.indexOf('start b1')).toBeLessThan(log.indexOf('end a1'));
    expect(log.indexOf('start a2')).toBeGreaterThan(log.indexOf('end a1'));
  });

  it('reports only the failed items when neighbours succeed', async () => {
    const { run } = recorder({ b1: 'failed', c1: 'throw' });
    const items = [
      { id: 'a1', group: 'a' },
      { id: 'b1', group: 'b' },
      { id: 'c1', group: 'c' },
      { id: 'b2', group: 'b' },
    ];
    expect(await runBatch(items, run, { fifo: false, concurrency: 10 })).toEqual(['b1', 'c1']);
  });

  it('fails the rest of a group without running it when a FIFO item fails', async () => {
    const { log, run } = recorder({ a1: 'failed' });
    const items = [
      { id: 'a1', group: 'a' },
      { id: 'a2', group: 'a' },
      { id: 'b1', group: 'b' },
    ];
    expect(await runBatch(items, run, { fifo: true, concurrency: 10 })).toEqual(['a1', 'a2']);
    expect(log).not.toContain('start a2');
    expect(log).toContain('end b1');
  });

  it('runs at most `concurrency` groups at a time', async () => {
    const { log, run } = recorder();
    const items = ['a', 'b', 'c'].map((group) => ({ id: `${group}1`, group }));
    await runBatch(items, run, { fifo: false, concurrency: 1 });
    expect(log).toEqual(['start a1', 'end a1', 'start b1', 'end b1', 'start c1', 'end c1']);
  });
});
