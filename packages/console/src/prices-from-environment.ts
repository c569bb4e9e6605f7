import { readFileSync } from 'node:fs';
import { DEFAULT_PRICES, mergePriceTables, type PriceTable, parsePriceTable } from '@baton/core';

/**
 * The built-in price table, overridden model by model by the JSON file named in BATON_PRICES:
 * `{ "my-model": { "input": 0.5, "output": 1.5, "cachedInput": 0.05 } }` (USD per million tokens).
 * A file that cannot be read or parsed is an error, never silently ignored.
 */
export function pricesFromEnvironment(env: Record<string, string | undefined> = process.env): PriceTable {
  const file = env.BATON_PRICES;
  if (!file) return DEFAULT_PRICES;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`BATON_PRICES: cannot read ${file} as JSON: ${(error as Error).message}`);
  }
  return mergePriceTables(DEFAULT_PRICES, parsePriceTable(raw));
}
