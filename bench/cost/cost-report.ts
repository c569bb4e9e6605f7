import { callsTool } from '../conversation.js';
import { int, table } from '../format.js';
import type { TurnSample } from '../harness.js';
import { median } from '../stats.js';
import type { TargetResult } from '../turns.js';
import { BENCH_PRICES, type Prices } from './prices.js';
import { awsTurnCost, azureTurnCost, peerUnits, type TurnCost } from './turn-cost.js';
import type { RequestUnits } from './units.js';

/**
 * Cost per million turns of each framework on each cloud, from the turn samples: Baton's from the
 * request units its meters measured, the peers' from their measured bytes and writes priced as
 * their documented persistence (turn-cost.ts, peerUnits). All over the same turns, 2..N, N the
 * shortest conversation compared (turn 1 creates the session).
 *
 * @example
 * costTable(costEstimates(results)); // markdown lines
 */
export interface CostEstimate {
  id: string;
  label: string;
  cloud: 'AWS' | 'Azure';
  peer: boolean;
  /** USD per million turns, mean over the plain (tool) turns 2..turns. */
  plain: TurnCost;
  tool: TurnCost;
  /** Mean units of a tool turn, for the table. */
  toolUnits: RequestUnits;
  /** Loop time priced as GB-seconds, ms per turn, and the run it came from. */
  loopMs: number;
  loopFrom: string;
  turns: number;
}

const CLOUD_OF: Record<string, 'AWS' | 'Azure'> = { 'baton-dynamodb': 'AWS', 'baton-cosmos': 'Azure' };

function isPeer(result: TargetResult): boolean {
  return !result.id.startsWith('baton-') && result.id !== 'floor';
}

function mean<T extends object>(values: T[]): T {
  const out = {} as Record<string, number>;
  for (const value of values)
    for (const [key, v] of Object.entries(value)) out[key] = (out[key] ?? 0) + (v as number) / values.length;
  return out as T;
}

function perMillion(cost: TurnCost): TurnCost {
  return {
    store: cost.store * 1e6,
    queue: cost.queue * 1e6,
    functions: cost.functions * 1e6,
    total: cost.total * 1e6,
  };
}

type Priced = { sample: TurnSample; units: RequestUnits; invocations: number };
type Loop = { ms: number; from: string };

/**
 * The loop time of a run: the median of its timed turns (each process warmed up first), else of
 * every turn.
 */
export function loopMs(result: TargetResult): number {
  const timed = result.times.flatMap((time) => time.ms);
  return median(timed.length > 0 ? timed : result.samples.map((sample) => sample.frameworkMs));
}

function estimate(
  result: TargetResult,
  cloud: 'AWS' | 'Azure',
  priced: Priced[],
  loop: Loop,
  prices: Prices,
): CostEstimate | undefined {
  const price = cloud === 'AWS' ? awsTurnCost : azureTurnCost;
  const costs = priced.map((p) => ({
    tool: callsTool(p.sample.turn),
    cost: price({ units: p.units, frameworkMs: loop.ms, invocations: p.invocations }, prices),
    units: p.units,
  }));
  const plain = costs.filter((c) => !c.tool);
  const tool = costs.filter((c) => c.tool);
  if (plain.length === 0 || tool.length === 0) return undefined;
  return {
    id: result.id,
    label: result.label,
    cloud,
    peer: isPeer(result),
    plain: perMillion(mean(plain.map((c) => c.cost))),
    tool: perMillion(mean(tool.map((c) => c.cost))),
    toolUnits: mean(tool.map((c) => c.units)),
    loopMs: loop.ms,
    loopFrom: loop.from,
    turns: priced.length + 1,
  };
}

/** Estimates for every result that can be priced: Baton on DynamoDB (AWS) and Cosmos (Azure), each peer on both. */
export function costEstimates(results: TargetResult[], prices: Prices = BENCH_PRICES): CostEstimate[] {
  const priceable = results.filter((r) => CLOUD_OF[r.id] || isPeer(r));
  if (priceable.length === 0) return [];
  const last = Math.min(...priceable.map((r) => r.turns));
  // Baton's loop time on the emulators is mostly theirs (Java DynamoDB Local, the in-process Cosmos
  // server): priced from its run on SQLite when there is one, as the peers' is.
  const sqlite = results.find((r) => r.id === 'baton-sqlite');
  const estimates: CostEstimate[] = [];
  for (const result of priceable) {
    const samples = result.samples.slice(0, last);
    const cloud = CLOUD_OF[result.id];
    if (cloud) {
      const priced = samples
        .slice(1)
        .filter((s) => s.units)
        .map((s) => ({ sample: s, units: s.units!, invocations: 1 + s.units!.enqueues }));
      const loop = sqlite
        ? { ms: loopMs(sqlite), from: sqlite.label }
        : { ms: loopMs(result), from: result.label };
      const one = estimate(result, cloud, priced, loop, prices);
      if (one) estimates.push(one);
      continue;
    }
    let history = samples[0]?.bytes ?? 0;
    const priced: Priced[] = [];
    for (const sample of samples.slice(1)) {
      priced.push({ sample, units: peerUnits(sample, history), invocations: 1 });
      history += sample.bytes;
    }
    for (const peerCloud of ['AWS', 'Azure'] as const) {
      const one = estimate(result, peerCloud, priced, { ms: loopMs(result), from: result.label }, prices);
      if (one) estimates.push(one);
    }
  }
  return estimates;
}

function dollars(value: number): string {
  return value >= 100 ? `$${value.toFixed(0)}` : value >= 1 ? `$${value.toFixed(2)}` : `$${value.toFixed(3)}`;
}

function unitsText(estimate: CostEstimate): string {
  const u = estimate.toolUnits;
  if (estimate.peer)
    return estimate.cloud === 'AWS'
      ? `assumed: ${u.dynamoWrite.toFixed(1)} WRU (one PutItem per write), ${u.dynamoRead.toFixed(1)} RRU (history Query)`
      : `assumed: ${u.cosmosRu.toFixed(1)} RU (one create per write, history query)`;
  const queue = `${u.enqueues.toFixed(1)} run messages`;
  return estimate.cloud === 'AWS'
    ? `${u.dynamoWrite.toFixed(1)} WRU, ${u.dynamoIndexWrite.toFixed(1)} of them on indexes (Local said ${u.dynamoReportedWrite.toFixed(1)}), ${u.dynamoRead.toFixed(1)} RRU (Local ${u.dynamoReportedRead.toFixed(1)}), ${int(u.dynamoRequests)} requests; ${queue}`
    : `${u.cosmosRu.toFixed(1)} RU by the documented figures (server said ${u.cosmosReportedRu.toFixed(1)}), ${int(u.cosmosRequests)} requests; ${queue}`;
}

/** The cost table and what it assumes, as markdown lines. */
export function costTable(estimates: CostEstimate[], prices: Prices = BENCH_PRICES): string[] {
  if (estimates.length === 0) return [];
  const rows = estimates.map((e) => [
    e.label,
    e.cloud,
    dollars(e.plain.total),
    dollars(e.tool.total),
    `${dollars(e.tool.store)} / ${dollars(e.tool.queue)} / ${dollars(e.tool.functions)}`,
    `${unitsText(e)}; loop ${e.loopMs.toFixed(1)} ms${e.loopFrom === e.label ? '' : ` (${e.loopFrom})`}`,
  ]);
  const turns = Math.min(...estimates.map((e) => e.turns));
  return [
    '### Cost per million turns',
    '',
    `USD per million turns at list prices (bench/cost/prices.ts), mean of the plain and of the tool turns 2–${turns}.`,
    `Baton: the request units its meters measured on each turn. DynamoDB units by the documented rules (transactional`,
    `writes 2 per started KB per item; DynamoDB Local charges a transaction like its largest item alone, shown beside); Cosmos RU by`,
    `the documented per-operation figures, since the Cosmos server reports a flat 1 RU per request (queries: a point`,
    `read of what they return + 1 RU, an assumption). Each run message is an SQS send + receive + delete (Storage Queue:`,
    `put, get, delete) and one more ${prices.lambda.memoryGb * 1024} MB Lambda (${prices.functions.memoryGb * 1024} MB Flex instance) invocation whose own`,
    `duration is not measured. GB-seconds: the median loop time of the timed turns (framework + store), Baton's from its`,
    `run on SQLite (on the emulators it is mostly their latency), the peers' from theirs; a cloud store's latency is left out`,
    `for everyone, as is the model's (billed too, the same for every framework).`,
    `Peers: their documented persistence as the bench stores it (a message list the application saves): each write`,
    `measured priced as one PutItem (one Cosmos create) of an equal share of the turn's bytes, plus one strongly`,
    `consistent Query (one query) of the whole history stored before the turn; one invocation, no queue.`,
    '',
    ...table(
      [
        'framework',
        'cloud',
        'plain turn',
        'tool turn',
        'tool turn: store / queue / functions',
        'units of a tool turn',
      ],
      rows,
      1,
    ),
  ];
}
