import { describe, expect, it } from 'vitest';
import type { ColdStartResult } from '../../bench/cold-start/cold-start.js';
import type { CostEstimate } from '../../bench/cost/cost-report.js';
import { emptyUnits } from '../../bench/cost/units.js';
import type { TurnSample } from '../../bench/harness.js';
import {
  allOf,
  DEPLOYABLES,
  type TargetRow,
  targetRows,
  verdict,
  writesByKind,
} from '../../bench/issue-targets.js';
import type { TargetResult } from '../../bench/turns.js';

/** Issue 19's targets table: each target met or not from the figures it is given. */

function result(
  id: string,
  label: string,
  turns: number,
  figures: (turn: number) => Partial<TurnSample>,
): TargetResult {
  const samples = Array.from({ length: turns }, (_, index) => ({
    turn: index + 1,
    bytes: 1000,
    writes: 1,
    reads: 1,
    frameworkMs: 1,
    userMessagesSeen: index + 1,
    ...figures(index + 1),
  }));
  return { id, label, turns, elapsedMs: 1, samples, times: [], cold: samples.at(-1)! };
}

function cold(id: string, wallMs: number[], gzipBytes: number, node = 'v20.20.2'): ColdStartResult {
  return {
    id,
    label: id,
    node,
    note: '',
    bundleBytes: gzipBytes * 3,
    gzipBytes,
    wallMs,
    loadMs: wallMs,
    statuses: ['200'],
  };
}

function cost(id: string, cloud: 'AWS' | 'Azure', peer: boolean, plain: number, tool: number): CostEstimate {
  const of = (total: number) => ({ store: total, queue: 0, functions: 0, total });
  return {
    id,
    label: id,
    cloud,
    peer,
    plain: of(plain),
    tool: of(tool),
    toolUnits: emptyUnits(),
    loopMs: 1,
    loopFrom: id,
    turns: 10,
  };
}

function row(rows: TargetRow[], prefix: string): TargetRow {
  const found = rows.find((r) => r.target.startsWith(prefix));
  if (!found) throw new Error(`no row ${prefix}: ${rows.map((r) => r.target).join(' | ')}`);
  return found;
}

const even = (turn: number) => turn % 2 === 0;

describe('a verdict', () => {
  it('is met at the limit for "at most", and only under it for "below"', () => {
    expect(verdict(3, 3, 'at-most')).toBe('✓');
    expect(verdict(4, 3, 'at-most')).toBe('✗');
    expect(verdict(3, 3, 'below')).toBe('✗');
    expect(verdict(2, 3, 'below')).toBe('✓');
  });

  it('is unknown when a figure was not measured, and one miss fails a group', () => {
    expect(verdict(undefined, 3, 'at-most')).toBe('—');
    expect(verdict(3, Number.NaN, 'at-most')).toBe('—');
    expect(allOf(['✓', '✓'])).toBe('✓');
    expect(allOf(['✓', '✗', '—'])).toBe('✗');
    expect(allOf(['✓', '—'])).toBe('—');
  });
});

describe("issue 19's targets", () => {
  const peers = [
    result('ai-sdk', 'AI SDK 6, messages in SQLite', 10, (turn) => ({
      bytes: 900,
      writes: 1,
      ...(even(turn) ? { bytes: 1100 } : {}),
    })),
    result('openai-agents', 'OpenAI Agents 0.14, SQLite Session', 10, () => ({ bytes: 1200, writes: 2 })),
  ];

  it('meets the write floor at 2 per plain and 3 per tool turn, and misses it above', () => {
    const atFloor = result('baton-dynamodb', 'Baton, DynamoDB Local', 10, (turn) => ({
      writes: even(turn) ? 3 : 2,
    }));
    const above = result('baton-cosmos', 'Baton, Cosmos DB server', 10, (turn) => ({
      writes: even(turn) ? 5 : 3,
    }));
    expect(writesByKind(atFloor)).toEqual({ plain: 2, tool: 3 });
    const met = targetRows({
      results: [atFloor, ...peers],
      cold: [],
      costs: [],
      atMostOnce: { plain: [2], tool: [4] },
    });
    expect(row(met, '2. writes per plain turn').met).toBe('✓');
    expect(row(met, '2. writes per tool turn, idempotent').met).toBe('✓');
    expect(row(met, '2. writes per tool turn, at-most-once').met).toBe('✓');
    expect(row(met, '2. writes per plain turn').peer).toContain('AI SDK 6 1');
    const missed = targetRows({ results: [atFloor, above, ...peers], cold: [], costs: [] });
    expect(row(missed, '2. writes per plain turn').met).toBe('✗');
    expect(row(missed, '2. writes per tool turn, idempotent').baton).toBe(
      'DynamoDB Local 3; Cosmos DB server 5',
    );
    expect(row(missed, '2. writes per tool turn, at-most-once').met).toBe('—');
  });

  it('limits bytes per turn to twice the smaller of the two peers', () => {
    // AI SDK's mean over turns 2-10 is 1,011 B (five tool turns of 1,100, four plain of 900): limit 2,022 B.
    const within = result('baton-sqlite', 'Baton, SQLite file', 10, () => ({ bytes: 2000 }));
    const over = result('baton-sqlite', 'Baton, SQLite file', 10, () => ({ bytes: 2100 }));
    expect(row(targetRows({ results: [within, ...peers], cold: [], costs: [] }), '3.').met).toBe('✓');
    const missed = row(targetRows({ results: [over, ...peers], cold: [], costs: [] }), '3.');
    expect(missed.met).toBe('✗');
    expect(missed.peer).toContain('limit 2,022 B');
    expect(row(targetRows({ results: [over], cold: [], costs: [] }), '3.').met).toBe('—');
  });

  it("compares each deployable's cold start and bundle with the AI SDK handler's", () => {
    const rows = targetRows({
      results: [],
      costs: [],
      cold: [
        cold('lambda-http', [100, 130, 120], 150_000),
        cold('azure-app', [90, 95], 170_000),
        cold('ai-sdk', [110, 125], 160_000),
      ],
    });
    // Medians: 120 and 92.5 against 117.5.
    expect(row(rows, '1. cold start, lambda-http,').met).toBe('✗');
    expect(row(rows, '1. cold start, azure-app,').met).toBe('✓');
    expect(row(rows, '1. bundle gzip, every chunk, lambda-http,').met).toBe('✓');
    expect(row(rows, '1. bundle gzip, every chunk, azure-app,').met).toBe('✗');
    expect(row(rows, '1. cold start, lambda-worker,').baton).toBe('not run');
  });

  it("puts the minimal app's handlers first, and compares every chunk with the load path beside it", () => {
    const rows = targetRows({
      results: [],
      costs: [],
      cold: [
        { ...cold('lambda-http-minimal', [100, 120], 150_000), loadGzipBytes: 90_000 },
        { ...cold('azure-app-minimal', [100], 170_000), loadGzipBytes: 120_000 },
        cold('lambda-http', [300], 200_000),
        cold('ai-sdk', [105], 160_000),
        cold('ai-sdk-openai', [140], 175_000),
      ],
    });
    const cold1 = rows.filter((r) => r.target.startsWith('1. cold start'));
    expect(cold1.map((r) => r.target.split(',')[1]!.trim())).toEqual(DEPLOYABLES);
    expect(cold1.length).toBe(6);
    expect(row(rows, '1. cold start, lambda-http-minimal,').met).toBe('✗');
    expect(row(rows, '1. cold start, azure-app-minimal,').met).toBe('✓');
    // The AI SDK over the wire is shown beside the minimal app's rows; the verdict is on the in-process one.
    expect(row(rows, '1. cold start, azure-app-minimal,').peer).toBe(
      'AI SDK 105 ms; with @ai-sdk/openai over the wire 140 ms',
    );
    expect(row(rows, '1. cold start, lambda-http,').peer).toBe('AI SDK 105 ms');
    expect(row(rows, '1. cold start, lambda-worker-minimal,').baton).toBe('not run');
    const gzip = row(rows, '1. bundle gzip, every chunk, lambda-http-minimal,');
    expect(gzip.met).toBe('✓');
    expect(gzip.baton).toContain('(load path ');
    // A load path under the AI SDK's does not pass a bundle whose chunks together are over it.
    expect(row(rows, '1. bundle gzip, every chunk, azure-app-minimal,').met).toBe('✗');
    // An unsplit bundle loads all of itself.
    expect(row(rows, '1. bundle gzip, every chunk, lambda-http,').baton).toMatch(/^(.+) \(load path \1\)$/);
  });

  it("shows the AI SDK handler with its messages in DynamoDB beside the minimal app's rows, judging on the in-process one", () => {
    const rows = targetRows({
      results: [],
      costs: [],
      cold: [
        cold('lambda-http-minimal', [300], 150_000),
        cold('lambda-http', [300], 200_000),
        cold('ai-sdk', [105], 160_000),
        cold('ai-sdk-openai', [140], 175_000),
        cold('ai-sdk-dynamodb', [320], 210_000),
      ],
    });
    const minimalCold = row(rows, '1. cold start, lambda-http-minimal,');
    expect(minimalCold.peer).toBe(
      'AI SDK 105 ms; with @ai-sdk/openai over the wire 140 ms; with messages in DynamoDB 320 ms',
    );
    // Faster than the durable peer, slower than the in-process one: the verdict stays on the latter.
    expect(minimalCold.met).toBe('✗');
    const minimalGzip = row(rows, '1. bundle gzip, every chunk, lambda-http-minimal,');
    expect(minimalGzip.peer).toMatch(/^AI SDK .+; with @ai-sdk\/openai .+; with messages in DynamoDB .+$/);
    expect(minimalGzip.met).toBe('✓');
    // The repository app's rows compare with the in-process handler alone.
    expect(row(rows, '1. cold start, lambda-http,').peer).toBe('AI SDK 105 ms');
    // Without the wire peer, the durable one is still shown.
    const alone = targetRows({
      results: [],
      costs: [],
      cold: [
        cold('lambda-http-minimal', [300], 150_000),
        cold('ai-sdk', [105], 160_000),
        cold('ai-sdk-dynamodb', [320], 210_000),
      ],
    });
    expect(row(alone, '1. cold start, lambda-http-minimal,').peer).toBe(
      'AI SDK 105 ms; with messages in DynamoDB 320 ms',
    );
  });

  it('compares a cold start on each node with the AI SDK handler on the same node', () => {
    const rows = targetRows({
      results: [],
      costs: [],
      cold: [
        cold('lambda-http', [100], 150_000, 'v20.20.2'),
        cold('lambda-http', [80], 150_000, 'v22.12.0'),
        cold('ai-sdk', [90], 160_000, 'v20.20.2'),
        cold('ai-sdk', [85], 160_000, 'v22.12.0'),
      ],
    });
    expect(row(rows, '1. cold start, lambda-http, Node v20.20.2').met).toBe('✗');
    expect(row(rows, '1. cold start, lambda-http, Node v22.12.0').met).toBe('✓');
    expect(row(rows, '1. cold start, lambda-http, Node v22.12.0').peer).toBe('AI SDK 85.0 ms');
  });

  it("puts Baton's cost per million turns beside the cheapest peer's on each cloud", () => {
    const rows = targetRows({
      results: [],
      cold: [],
      costs: [
        cost('baton-dynamodb', 'AWS', false, 1.0, 2.0),
        cost('ai-sdk', 'AWS', true, 1.5, 1.9),
        cost('openai-agents', 'AWS', true, 3, 4),
        cost('baton-cosmos', 'Azure', false, 1.0, 1.5),
        cost('ai-sdk', 'Azure', true, 2, 2),
      ],
    });
    const aws = row(rows, '4. cost per million turns on AWS');
    expect(aws.peer).toBe('ai-sdk $1.50 / $1.90');
    expect(aws.met).toBe('✗');
    expect(row(rows, '4. cost per million turns on Azure').met).toBe('✓');
  });
});
