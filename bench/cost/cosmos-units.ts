/**
 * Request units of Cosmos DB operations by the documented figures: point reads and writes by
 * document size, from the table in "Understand request unit consumption"
 * (https://learn.microsoft.com/azure/cosmos-db/understand-request-unit-consumption, session
 * consistency, default indexing; read 2026-12-06), interpolated between its sizes. The page gives no
 * rule for queries or replaces: a replace is taken at the write figure, and a single-partition query
 * at a point read of the bytes it returns plus 1 RU for the query itself (an assumption the report
 * repeats). The Cosmos DB server the bench runs reports a flat 1 RU per request, so these figures
 * are what the bench prices.
 *
 * @example
 * writeRu(1024); // 4.95
 */

const KB = 1024;
/** Document size in KB, read RU, write RU. */
const TABLE: readonly (readonly [number, number, number])[] = [
  [1, 1.0, 4.95],
  [2, 1.04, 6.29],
  [4, 1.14, 6.67],
  [8, 1.33, 7.04],
  [16, 1.67, 9.52],
  [32, 2.19, 11.23],
  [64, 4.76, 22.67],
  [128, 9.95, 48.19],
  [256, 20.28, 98.29],
  [512, 40.95, 184.57],
  [1024, 145.9, 625.0],
  [2048, 291.8, 1250.0],
];

function interpolate(bytes: number, column: 1 | 2): number {
  const kb = bytes / KB;
  const first = TABLE[0]!;
  if (kb <= first[0]) return first[column];
  for (let i = 1; i < TABLE.length; i++) {
    const low = TABLE[i - 1]!;
    const high = TABLE[i]!;
    if (kb <= high[0])
      return low[column] + ((high[column] - low[column]) * (kb - low[0])) / (high[0] - low[0]);
  }
  const last = TABLE.at(-1)!;
  return (last[column] * kb) / last[0];
}

/** RU of a point read of a document of `bytes`. */
export function readRu(bytes: number): number {
  return interpolate(bytes, 1);
}

/** RU of creating, replacing or upserting a document of `bytes`. */
export function writeRu(bytes: number): number {
  return interpolate(bytes, 2);
}

/** The assumed overhead of a query on top of reading what it returns. */
export const QUERY_OVERHEAD_RU = 1;

/** RU of a single-partition query returning `bytes` of documents (an assumption: see above). */
export function queryRu(bytes: number): number {
  return QUERY_OVERHEAD_RU + readRu(bytes);
}
