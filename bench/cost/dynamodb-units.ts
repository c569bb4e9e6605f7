import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/**
 * DynamoDB's documented capacity rules (https://aws.amazon.com/dynamodb/pricing/on-demand/ and the
 * developer guide's item-size rules), applied to the requests and answers the bench's meter sees.
 * DynamoDB Local reports consumed capacity too, and doubles a transaction, but charges it like its
 * largest item alone (3 items of 400 B: Local says 2 units, the rule 6; measured 2026-12-06, see
 * test/bench/cost.test.ts): the bench prices the rule and prints what Local said beside it.
 *
 * @example
 * transactWriteUnits([{ Put: { Item: item } }]); // 2 per started KB of the item
 */

const WRITE_UNIT_BYTES = 1024;
const READ_UNIT_BYTES = 4096;

function utf8(value: string): number {
  return Buffer.byteLength(value, 'utf8');
}

/** Size of one attribute value by DynamoDB's rules (numbers: about 1 byte per 2 digits, plus 1). */
export function valueBytes(value: AttributeValue): number {
  if (value.S !== undefined) return utf8(value.S);
  if (value.N !== undefined) return Math.ceil(value.N.replace(/^-|\./g, '').length / 2) + 1;
  if (value.B !== undefined) return value.B.length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS !== undefined) return value.SS.reduce((sum, s) => sum + utf8(s), 0);
  if (value.NS !== undefined) return value.NS.reduce((sum, n) => sum + valueBytes({ N: n }), 0);
  if (value.BS !== undefined) return value.BS.reduce((sum, b) => sum + b.length, 0);
  if (value.L !== undefined) return 3 + value.L.reduce((sum, v) => sum + 1 + valueBytes(v), 0);
  if (value.M !== undefined) return 3 + itemSize(value.M) + Object.keys(value.M).length;
  return 0;
}

/** Size of an item: its attribute names plus their values. */
export function itemSize(item: Record<string, AttributeValue>): number {
  return Object.entries(item).reduce((sum, [name, value]) => sum + utf8(name) + valueBytes(value), 0);
}

/** Standard write units of one item: 1 per started KB (at least 1). */
export function writeUnits(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / WRITE_UNIT_BYTES));
}

/** Read units of a read returning `bytes` (summed over a query's items): 1 per started 4 KB, at least 1; half when eventually consistent. */
export function readUnits(bytes: number, consistent: boolean): number {
  const units = Math.max(1, Math.ceil(bytes / READ_UNIT_BYTES));
  return consistent ? units : units / 2;
}

type TransactItem = {
  Put?: { Item?: Record<string, AttributeValue> };
  Update?: unknown;
  Delete?: unknown;
  ConditionCheck?: unknown;
};

/**
 * Table write units of a TransactWriteItems: every item costs twice a standard write, 2 per started
 * KB. Updates, deletes and condition checks do not carry the item, so they are taken at 1 KB.
 */
export function transactWriteUnits(items: readonly TransactItem[]): number {
  return items.reduce((sum, item) => sum + 2 * writeUnits(item.Put?.Item ? itemSize(item.Put.Item) : 0), 0);
}
