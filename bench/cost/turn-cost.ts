import { queryRu, writeRu } from './cosmos-units.js';
import { readUnits, writeUnits } from './dynamodb-units.js';
import type { Prices } from './prices.js';
import type { RequestUnits } from './units.js';

/**
 * Dollars of one turn on each cloud, from the request units the bench measured. The model's own
 * latency is billed by Lambda and Functions too, but is the same whichever framework waits for it:
 * only the loop time the bench measured (framework plus store) is priced.
 *
 * @example
 * awsTurnCost({ units, frameworkMs: 3, invocations: 2 }, BENCH_PRICES).total * 1e6; // USD per million turns
 */
export interface TurnUsage {
  units: RequestUnits;
  /** Loop time of the turn in ms (the bench's frameworkMs). */
  frameworkMs: number;
  /** Function invocations the turn takes: the one that runs it, plus one per run message delivered. */
  invocations: number;
}

export interface TurnCost {
  store: number;
  queue: number;
  functions: number;
  total: number;
}

function cost(store: number, queue: number, functions: number): TurnCost {
  return { store, queue, functions, total: store + queue + functions };
}

/** Requests a run message costs on SQS: the send and the receive per 64 KB chunk, and one delete. */
export function sqsRequests(units: Pick<RequestUnits, 'enqueues' | 'enqueuedChunks'>): number {
  return 2 * units.enqueuedChunks + units.enqueues;
}

/** AWS: DynamoDB on demand, SQS standard, Lambda (requests plus GB-seconds of the loop time). */
export function awsTurnCost(usage: TurnUsage, prices: Prices): TurnCost {
  const { units } = usage;
  const store =
    (units.dynamoWrite * prices.dynamodb.writeUnitPerMillion +
      units.dynamoRead * prices.dynamodb.readUnitPerMillion) /
    1e6;
  const queue = (sqsRequests(units) * prices.sqs.requestPerMillion) / 1e6;
  const functions =
    (usage.invocations * prices.lambda.requestPerMillion) / 1e6 +
    (usage.frameworkMs / 1000) * prices.lambda.memoryGb * prices.lambda.gbSecond;
  return cost(store, queue, functions);
}

/** Azure: Cosmos DB serverless, Storage Queue (put and delete: class 1, get: class 2), Flex Consumption. */
export function azureTurnCost(usage: TurnUsage, prices: Prices): TurnCost {
  const { units } = usage;
  const store = (units.cosmosRu * prices.cosmos.ruPerMillion) / 1e6;
  const queue =
    (units.enqueues * (2 * prices.storageQueue.class1Per10k + prices.storageQueue.class2Per10k)) / 10_000;
  const functions =
    (usage.invocations * prices.functions.executionPerMillion) / 1e6 +
    (usage.frameworkMs / 1000) * prices.functions.memoryGb * prices.functions.gbSecond;
  return cost(store, queue, functions);
}

/**
 * A peer's persistence priced the way the bench stores it: each write it measured is one plain
 * PutItem (one Cosmos create) of an equal share of the turn's bytes, and each turn loads the
 * whole history before it runs: one strongly consistent Query (one single-partition Cosmos query)
 * returning every byte stored before. One invocation per turn, no queue.
 */
export function peerUnits(turn: { bytes: number; writes: number }, historyBytes: number): RequestUnits {
  const share = turn.writes > 0 ? turn.bytes / turn.writes : 0;
  return {
    dynamoWrite: turn.writes * writeUnits(share),
    dynamoIndexWrite: 0,
    dynamoRead: readUnits(historyBytes, true),
    dynamoReportedWrite: 0,
    dynamoReportedRead: 0,
    dynamoRequests: turn.writes + 1,
    cosmosRu: turn.writes * writeRu(share) + queryRu(historyBytes),
    cosmosReportedRu: 0,
    cosmosRequests: turn.writes + 1,
    enqueues: 0,
    enqueuedChunks: 0,
  };
}
