import { describe, expect, it } from 'vitest';
import { runConversation } from '../../../bench/workload.js';
import { MemoryStore } from './memory-store.js';

describe('write cost per step', () => {
  it('stays flat as the conversation grows: bytes per turn at turn 1000 within 10% of turn 10', async () => {
    const figures = await runConversation(new MemoryStore(), 1000, { sessionId: 'long' });
    // Even and odd turns differ (every second turn calls a tool), so compare turns of the same kind.
    for (const [early, late] of [
      [10, 1000],
      [9, 999],
    ] as const) {
      const a = figures[early - 1]!;
      const b = figures[late - 1]!;
      expect(b.writes).toBe(a.writes);
      expect(b.records).toBe(a.records);
      expect(Math.abs(b.bytes - a.bytes) / a.bytes).toBeLessThan(0.1);
    }
    // A turn without a tool: input, lease, model response, release with run_finished.
    expect(figures[8]).toMatchObject({ writes: 4, records: 7 });
    // A turn with a tool: input, lease, model response, tool result, model response, release.
    expect(figures[9]).toMatchObject({ writes: 6, records: 11 });
  });
});
