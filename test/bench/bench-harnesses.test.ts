import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { bytesPerTurnSvg } from '../../bench/chart.js';
import { callsTool } from '../../bench/conversation.js';
import type { BenchTarget, Location, TurnSample } from '../../bench/harness.js';
import { loadTarget } from '../../bench/targets/all-targets.js';
import { planSegments, type TargetResult } from '../../bench/turns.js';

/**
 * The benchmark's harnesses, checked by counts only (never wall time): Baton's bytes per turn stay
 * flat, and every framework really keeps the conversation in its store, so a harness reopened on
 * the same location (a new invocation) continues it.
 */

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function location(sessionId: string): Location {
  const dir = mkdtempSync(join(tmpdir(), 'bench-test-'));
  dirs.push(dir);
  return {
    dir,
    sessionId,
    endpoints: {
      dynamodb: inject('dynamodbEndpoint'),
      cosmos: inject('cosmosEndpoint'),
      cosmosKey: inject('cosmosKey'),
    },
  };
}

async function run(target: BenchTarget, where: Location, from: number, to: number): Promise<TurnSample[]> {
  const harness = await target.open(where);
  const samples: TurnSample[] = [];
  try {
    for (let turn = from; turn <= to; turn++) samples.push(await harness.turn(turn));
  } finally {
    await harness.close();
  }
  return samples;
}

describe('the Baton harness on SQLite', () => {
  it('writes the same bytes and operations per turn at turn 300 as at turn 10', async () => {
    const target = await loadTarget('baton-sqlite');
    const samples = await run(target, location('flat'), 1, 300);
    // A compaction (every 400 live events) adds one write to its turn: compare turns that did not compact.
    // The input takes the lease; a tool turn adds the model response with its call (issue 19).
    const plain = (turn: number) => (callsTool(turn) ? 3 : 2);
    const early = samples[9]!;
    const late = samples.findLast((sample) => sample.turn % 2 === 0 && sample.writes === plain(sample.turn))!;
    expect(early.writes).toBe(3);
    expect(samples[8]!.writes).toBe(2);
    expect(late.turn).toBeGreaterThan(290);
    expect(late.writes).toBe(early.writes);
    expect(late.reads).toBe(early.reads);
    expect(Math.abs(late.bytes - early.bytes) / early.bytes).toBeLessThan(0.1);
    expect(samples.filter((sample) => sample.writes > plain(sample.turn)).length).toBeGreaterThan(0);
  });
});

describe('every harness', () => {
  it.each([
    'baton-sqlite',
    'baton-dynamodb',
    'baton-cosmos',
    'openai-agents',
    'langgraph',
    'ai-sdk',
    'floor',
  ])('%s continues the stored conversation when reopened', async (id) => {
    const target = await loadTarget(id);
    const where = location(`reload-${id}-${Date.now()}`);
    await target.prepare?.(where);
    const first = await run(target, where, 1, 3);
    const [reopened] = await run(target, where, 4, 4);
    expect(first.map((sample) => sample.userMessagesSeen)).toEqual([1, 2, 3]);
    // The fourth turn's model saw the three earlier messages: they came back from the store.
    expect(reopened!.userMessagesSeen).toBe(4);
    for (const sample of [...first, reopened!]) {
      expect(sample.writes).toBeGreaterThan(0);
      expect(sample.reads).toBeGreaterThan(0);
      expect(sample.bytes).toBeGreaterThan(0);
    }
    // A turn with a tool call stores more than one without.
    expect(reopened!.bytes).toBeGreaterThan(first[2]!.bytes);
  });

  it('counts store requests for the emulator-backed stores', async () => {
    for (const id of ['baton-dynamodb', 'baton-cosmos']) {
      const target = await loadTarget(id);
      const where = location(`requests-${id}-${Date.now()}`);
      await target.prepare?.(where);
      const [sample] = await run(target, where, 1, 1);
      expect(sample!.roundTrips).toBeGreaterThanOrEqual(sample!.writes);
      expect(sample!.physicalBytes).toBeGreaterThan(0);
    }
  });
});

describe('planSegments', () => {
  it('runs every turn exactly once and times the last turns up to each mark in separate processes', () => {
    const segments = planSegments(1000, { processes: 3, window: 30 });
    const turns = segments.flatMap((segment) =>
      Array.from({ length: segment.to - segment.from + 1 }, (_, i) => segment.from + i),
    );
    expect(turns).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    for (const mark of [10, 200, 1000]) {
      const timed = segments.filter((segment) => segment.mark === mark);
      expect(timed).toHaveLength(3);
      expect(timed.at(-1)!.to).toBe(mark);
    }
    expect(segments.find((segment) => segment.mark === 1000)!.timedFrom).toBe(971);
  });
});

describe('bytesPerTurnSvg', () => {
  it('draws one line and one legend entry per framework', () => {
    const result = (id: string, bytes: number): TargetResult => ({
      id,
      label: `${id} <label>`,
      turns: 4,
      elapsedMs: 1,
      samples: [1, 2, 3, 4].map((turn) => ({
        turn,
        bytes,
        writes: 1,
        reads: 1,
        frameworkMs: 1,
        userMessagesSeen: turn,
      })),
      times: [],
      cold: { turn: 5, bytes, writes: 1, reads: 1, frameworkMs: 1, userMessagesSeen: 5 },
    });
    const svg = bytesPerTurnSvg([result('a', 900), result('b', 2_000_000)], 'test');
    expect(svg.match(/<path /g)).toHaveLength(2);
    expect(svg).toContain('a &lt;label&gt;');
    expect(svg).toContain('1 MB');
  });
});
