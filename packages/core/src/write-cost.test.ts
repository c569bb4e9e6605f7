import { describe, expect, it } from 'vitest';
import { runConversation, type TurnFigures } from '../../../bench/workload.js';
import { MemoryStore } from './memory-store.js';

/**
 * Writes of a turn without compaction, run inline by the invocation that records its input: the
 * input with the lease, and the answer committed together with run_finished and the release; every
 * second turn adds a model response with a tool call (the idempotent tool's result is committed
 * with the answer).
 */
const plainWrites = (turn: number) => (turn % 2 === 0 ? 3 : 2);

/** The last turn at or before `turn` of the same kind that did not compact. */
function comparable(figures: TurnFigures[], turn: number): TurnFigures {
  for (let t = turn; t > 0; t -= 2) {
    const figure = figures[t - 1]!;
    if (figure.writes === plainWrites(t)) return figure;
  }
  throw new Error(`no comparable turn before ${turn}`);
}

describe('write cost per step', () => {
  it('stays flat as the conversation grows: bytes per turn at turn 1000 within 10% of turn 10', async () => {
    const figures = await runConversation(new MemoryStore(), 1000, { sessionId: 'long' });
    // Even and odd turns differ (every second turn calls a tool), so compare turns of the same kind.
    for (const [early, late] of [
      [10, 1000],
      [9, 999],
    ] as const) {
      const a = comparable(figures, early);
      const b = comparable(figures, late);
      expect(b.turn).toBeGreaterThan(990);
      expect(b.writes).toBe(a.writes);
      expect(b.records).toBe(a.records);
      expect(b.reads).toBe(a.reads);
      expect(Math.abs(b.bytes - a.bytes) / a.bytes).toBeLessThan(0.1);
    }
    // Records: the head of every commit, the input, the answer and run_finished; a tool turn adds
    // the model response with its call and the tool result. Reads: the load with the input, and a
    // look at the head after the tool for input that arrived meanwhile.
    expect(figures[8]).toMatchObject({ writes: 2, records: 5, reads: 1 });
    expect(figures[9]).toMatchObject({ writes: 3, records: 8, reads: 2 });
  });

  it('compacts with exactly one extra write on the turns where the live context is full', async () => {
    const figures = await runConversation(new MemoryStore(), 300, {
      sessionId: 'compacted',
      compactAfterEvents: 100,
    });
    const compactions = figures.filter((figure) => figure.writes !== plainWrites(figure.turn));
    expect(compactions.length).toBeGreaterThanOrEqual(4);
    for (const figure of compactions) expect(figure.writes - plainWrites(figure.turn)).toBe(1);
  });
});
