import type { ColdStartResult } from './cold-start/cold-start.js';
import { callsTool } from './conversation.js';
import type { CostEstimate } from './cost/cost-report.js';
import { bytes, int, ms } from './format.js';
import { median } from './stats.js';
import type { TargetResult } from './turns.js';

/**
 * Issue 19's four targets, each with Baton's figure from this run, the peer figure beside it and
 * whether it is met: (1) every deployable handler's cold start no slower, and its bundle smaller,
 * than the AI SDK's minimal handler; (2) writes per turn at the floor of the durability promise;
 * (3) bytes per turn within 2x the OpenAI Agents SDK's and the AI SDK's; (4) cost per million
 * turns next to the peers'. A figure this run did not measure prints as "not run".
 *
 * @example
 * targetRows({ results, cold, costs, atMostOnce }).map((row) => [row.target, row.baton, row.peer, row.met]);
 */

export type Verdict = '✓' | '✗' | '—';

/** ✓ when `value` is at most (or, `below`, strictly under) `limit`; — when either was not measured. */
export function verdict(
  value: number | undefined,
  limit: number | undefined,
  rule: 'at-most' | 'below',
): Verdict {
  if (value === undefined || limit === undefined || !Number.isFinite(value) || !Number.isFinite(limit))
    return '—';
  return (rule === 'below' ? value < limit : value <= limit) ? '✓' : '✗';
}

/** Every verdict ✓: ✓; any ✗: ✗; otherwise —. */
export function allOf(verdicts: Verdict[]): Verdict {
  if (verdicts.length === 0) return '—';
  if (verdicts.includes('✗')) return '✗';
  return verdicts.every((v) => v === '✓') ? '✓' : '—';
}

export interface TargetRow {
  target: string;
  baton: string;
  peer: string;
  met: Verdict;
}

export interface TargetInputs {
  results: TargetResult[];
  cold: ColdStartResult[];
  /** Estimates from bench/cost/cost-report.ts. */
  costs: CostEstimate[];
  /** Writes per turn with an at-most-once tool (bench/cost/write-counts.ts), when measured. */
  atMostOnce?: { plain: number[]; tool: number[] };
}

/** The floor of the durability promise (issue 19, target 2). */
export const WRITE_FLOOR = { plain: 2, idempotentTool: 3, atMostOnceTool: 4 } as const;
const NOT_RUN = 'not run';
/**
 * The minimal app's handlers first (one agent, one tool, like the AI SDK handler: the comparison a
 * user asks for), then the repository app's (Slack, console, several agents and tools).
 */
export const DEPLOYABLES = [
  'lambda-http-minimal',
  'lambda-worker-minimal',
  'azure-app-minimal',
  'lambda-http',
  'lambda-worker',
  'azure-app',
];
const BYTE_PEERS = ['openai-agents', 'ai-sdk'];

/** Each deployable on each node the run used (BENCH_NODE), against the AI SDK handler on the same node. */
function coldRows(cold: ColdStartResult[]): TargetRow[] {
  const measured = (r: ColdStartResult | undefined) => (r && !r.error && r.wallMs.length > 0 ? r : undefined);
  const nodes = [...new Set(cold.map((r) => r.node))];
  return DEPLOYABLES.flatMap((id) => {
    const runs = cold.filter((r) => r.id === id);
    return (runs.length > 0 ? runs : [undefined]).flatMap((run) => coldPair(id, run, cold, nodes.length > 1));
  });

  function coldPair(
    id: string,
    run: ColdStartResult | undefined,
    all: ColdStartResult[],
    byNode: boolean,
  ): TargetRow[] {
    const handler = measured(run);
    const aiSdk = measured(all.find((r) => r.id === 'ai-sdk' && (!run || r.node === run.node)));
    // Beside the minimal app's rows: the AI SDK on its OpenAI provider over the same wire fake, and
    // that handler keeping its messages in DynamoDB as Baton's does (shown, not judged).
    const peer = (peerId: string) =>
      id.endsWith('-minimal')
        ? measured(all.find((r) => r.id === peerId && (!run || r.node === run.node)))
        : undefined;
    const wire = peer('ai-sdk-openai');
    const durable = peer('ai-sdk-dynamodb');
    const peerCold = aiSdk
      ? `AI SDK ${ms(median(aiSdk.wallMs))} ms${wire ? `; with @ai-sdk/openai over the wire ${ms(median(wire.wallMs))} ms` : ''}${durable ? `; with messages in DynamoDB ${ms(median(durable.wallMs))} ms` : ''}`
      : NOT_RUN;
    const peerGzip = aiSdk
      ? `AI SDK ${bytes(aiSdk.gzipBytes)}${wire ? `; with @ai-sdk/openai ${bytes(wire.gzipBytes)}` : ''}${durable ? `; with messages in DynamoDB ${bytes(durable.gzipBytes)}` : ''}`
      : NOT_RUN;
    const label = run
      ? `${run.label}${byNode && !run.label.includes(run.node) ? `, Node ${run.node}` : ''}`
      : id;
    return [
      {
        target: `1. cold start, ${label}, ≤ the AI SDK handler's`,
        baton: handler
          ? `${ms(median(handler.wallMs))} ms (import ${ms(median(handler.loadMs))} ms)`
          : NOT_RUN,
        peer: peerCold,
        met: verdict(handler && median(handler.wallMs), aiSdk && median(aiSdk.wallMs), 'at-most'),
      },
      {
        // Every chunk is compared (what deploys); the load path, what the cold start loads, beside it.
        target: `1. bundle gzip, every chunk, ${label}, < the AI SDK handler's`,
        baton: handler
          ? `${bytes(handler.gzipBytes)} (load path ${bytes(handler.loadGzipBytes ?? handler.gzipBytes)})`
          : NOT_RUN,
        peer: peerGzip,
        met: verdict(handler?.gzipBytes, aiSdk?.gzipBytes, 'below'),
      },
    ];
  }
}

/** Median writes of the plain and of the tool turns after the first (which creates the session). */
export function writesByKind(result: TargetResult): { plain?: number; tool?: number } {
  const later = result.samples.filter((s) => s.turn > 1);
  const plain = later.filter((s) => !callsTool(s.turn)).map((s) => s.writes);
  const tool = later.filter((s) => callsTool(s.turn)).map((s) => s.writes);
  return {
    ...(plain.length > 0 ? { plain: median(plain) } : {}),
    ...(tool.length > 0 ? { tool: median(tool) } : {}),
  };
}

function storeName(result: TargetResult): string {
  return result.label.replace(/^Baton, /, '');
}

function writeRows(inputs: TargetInputs): TargetRow[] {
  const batons = inputs.results.filter((r) => r.id.startsWith('baton-'));
  const peers = inputs.results.filter((r) => BYTE_PEERS.includes(r.id));
  const row = (kind: 'plain' | 'tool', floor: number, what: string): TargetRow => {
    const figures = batons.map((r) => ({ r, writes: writesByKind(r)[kind] }));
    const peerFigures = peers.map((r) => `${r.label.split(',')[0]} ${writesByKind(r)[kind] ?? '—'}`);
    return {
      target: `2. writes per ${what} ≤ ${floor}`,
      baton:
        figures.length > 0 ? figures.map((f) => `${storeName(f.r)} ${f.writes ?? '—'}`).join('; ') : NOT_RUN,
      peer: peerFigures.length > 0 ? peerFigures.join('; ') : NOT_RUN,
      met: allOf(figures.map((f) => verdict(f.writes, floor, 'at-most'))),
    };
  };
  const atMostOnce = inputs.atMostOnce;
  return [
    row('plain', WRITE_FLOOR.plain, 'plain turn'),
    row('tool', WRITE_FLOOR.idempotentTool, 'tool turn, idempotent tool'),
    {
      target: `2. writes per tool turn, at-most-once tool ≤ ${WRITE_FLOOR.atMostOnceTool} (its intent with the model response)`,
      baton: atMostOnce
        ? `${median(atMostOnce.tool)} (plain turns ${median(atMostOnce.plain)}; memory store, counted at the store interface)`
        : NOT_RUN,
      peer: 'no at-most-once tools',
      met: verdict(atMostOnce && median(atMostOnce.tool), WRITE_FLOOR.atMostOnceTool, 'at-most'),
    },
  ];
}

function meanBytes(result: TargetResult, last: number): number {
  const samples = result.samples.slice(1, last);
  return samples.reduce((sum, s) => sum + s.bytes, 0) / samples.length;
}

function bytesRow(results: TargetResult[]): TargetRow {
  const batons = results.filter((r) => r.id.startsWith('baton-'));
  const peers = results.filter((r) => BYTE_PEERS.includes(r.id));
  const compared = [...batons, ...peers];
  const last = compared.length > 0 ? Math.min(...compared.map((r) => r.turns)) : 0;
  const target = '3. bytes per turn ≤ 2× min(OpenAI Agents SDK, AI SDK)';
  if (batons.length === 0 || peers.length === 0 || last < 3)
    return {
      target,
      baton: batons.length === 0 ? NOT_RUN : '—',
      peer: peers.length === 0 ? NOT_RUN : '—',
      met: '—',
    };
  const best = Math.min(...peers.map((r) => meanBytes(r, last)));
  const limit = 2 * best;
  return {
    target: `${target}, mean of turns 2–${last}`,
    baton: batons
      .map((r) => `${storeName(r)} ${int(meanBytes(r, last))} B (${(meanBytes(r, last) / best).toFixed(1)}×)`)
      .join('; '),
    peer: `${peers.map((r) => `${r.label.split(',')[0]} ${int(meanBytes(r, last))} B`).join('; ')}; limit ${int(limit)} B`,
    met: allOf(batons.map((r) => verdict(meanBytes(r, last), limit, 'at-most'))),
  };
}

function money(value: number): string {
  return value >= 1 ? `$${value.toFixed(2)}` : `$${value.toFixed(3)}`;
}

function costRows(costs: CostEstimate[]): TargetRow[] {
  return (['AWS', 'Azure'] as const).map((cloud) => {
    const baton = costs.find((c) => c.cloud === cloud && !c.peer);
    const peers = costs.filter((c) => c.cloud === cloud && c.peer);
    const cheapest =
      peers.length > 0 ? peers.reduce((a, b) => (a.tool.total <= b.tool.total ? a : b)) : undefined;
    return {
      target: `4. cost per million turns on ${cloud} (plain / tool turn) ≤ the cheapest peer's`,
      baton: baton ? `${money(baton.plain.total)} / ${money(baton.tool.total)}` : NOT_RUN,
      peer: cheapest
        ? `${cheapest.label.split(',')[0]} ${money(cheapest.plain.total)} / ${money(cheapest.tool.total)}`
        : NOT_RUN,
      met: allOf([
        verdict(baton?.plain.total, cheapest?.plain.total, 'at-most'),
        verdict(baton?.tool.total, cheapest?.tool.total, 'at-most'),
      ]),
    };
  });
}

export function targetRows(inputs: TargetInputs): TargetRow[] {
  return [
    ...coldRows(inputs.cold),
    ...writeRows(inputs),
    bytesRow(inputs.results),
    ...costRows(inputs.costs),
  ];
}
