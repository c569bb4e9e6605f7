/**
 * Request units one turn consumed, as the bench's meters counted them on the store clients and the
 * run queue. Every field is a plain count, so a turn's figures are the difference of two readings.
 *
 * @example
 * const turn = subtractUnits(meter.read(), before);
 */
export interface RequestUnits {
  /** DynamoDB write request units by the documented rules (transactions: 2 per started KB per item). */
  dynamoWrite: number;
  /** Of `dynamoWrite`, the units of index writes (as DynamoDB Local reported them). */
  dynamoIndexWrite: number;
  /** DynamoDB read request units by the documented rules (4 KB per unit, strongly consistent). */
  dynamoRead: number;
  /** Write capacity DynamoDB Local reported (table and indexes). */
  dynamoReportedWrite: number;
  /** Read capacity DynamoDB Local reported. */
  dynamoReportedRead: number;
  /** Requests sent to DynamoDB. */
  dynamoRequests: number;
  /** Cosmos DB RUs by the documented per-operation figures (the server reports a flat 1 RU). */
  cosmosRu: number;
  /** RUs the Cosmos server reported (`x-ms-request-charge`). */
  cosmosReportedRu: number;
  /** Requests sent to Cosmos DB for documents. */
  cosmosRequests: number;
  /** Run messages enqueued (each becomes a send, a receive and a delete on the cloud's queue). */
  enqueues: number;
  /** 64 KB chunks of the enqueued messages (SQS bills each as one request). */
  enqueuedChunks: number;
}

export function emptyUnits(): RequestUnits {
  return {
    dynamoWrite: 0,
    dynamoIndexWrite: 0,
    dynamoRead: 0,
    dynamoReportedWrite: 0,
    dynamoReportedRead: 0,
    dynamoRequests: 0,
    cosmosRu: 0,
    cosmosReportedRu: 0,
    cosmosRequests: 0,
    enqueues: 0,
    enqueuedChunks: 0,
  };
}

/** `after - before`, field by field; a missing reading counts as zero. */
export function subtractUnits(after: Partial<RequestUnits>, before: Partial<RequestUnits>): RequestUnits {
  const out = emptyUnits();
  for (const key of Object.keys(out) as (keyof RequestUnits)[])
    out[key] = (after[key] ?? 0) - (before[key] ?? 0);
  return out;
}
