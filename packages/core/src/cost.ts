import { z } from 'zod';
import { ValidationError } from './errors.js';
import type { SessionEvent, Usage } from './events.js';

/**
 * Estimated cost of token usage. Sessions record which model answered each step and what it used
 * (`model_response` events); a price table turns that into dollars. Estimates only: list prices
 * change, discounts and batch tiers are not modelled, and providers round differently.
 */

/** USD per million tokens. `cachedInput` (prompt-cache reads) defaults to `input` when a model has no discount. */
export interface ModelPrice {
  input: number;
  output: number;
  cachedInput?: number;
}

/** Model id -> price. Keys are the ids providers report (`gpt-5-mini`, `anthropic.claude-...-v1:0`). */
export type PriceTable = Readonly<Record<string, ModelPrice>>;

/**
 * On-demand list prices (standard tier, USD per million tokens) of common OpenAI models and of
 * common models on Amazon Bedrock (us-east-1), as the providers published them in 2025. Override or
 * extend them with `mergePriceTables` (the dev tools read a JSON file named by BATON_PRICES).
 */
export const DEFAULT_PRICES: PriceTable = {
  'gpt-5': { input: 1.25, cachedInput: 0.125, output: 10 },
  'gpt-5-mini': { input: 0.25, cachedInput: 0.025, output: 2 },
  'gpt-5-nano': { input: 0.05, cachedInput: 0.005, output: 0.4 },
  'gpt-4.1': { input: 2, cachedInput: 0.5, output: 8 },
  'gpt-4.1-mini': { input: 0.4, cachedInput: 0.1, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, cachedInput: 0.025, output: 0.4 },
  'gpt-4o': { input: 2.5, cachedInput: 1.25, output: 10 },
  'gpt-4o-mini': { input: 0.15, cachedInput: 0.075, output: 0.6 },
  o3: { input: 2, cachedInput: 0.5, output: 8 },
  'o4-mini': { input: 1.1, cachedInput: 0.275, output: 4.4 },
  'anthropic.claude-opus-4-1-20250805-v1:0': { input: 15, cachedInput: 1.5, output: 75 },
  'anthropic.claude-sonnet-4-20250514-v1:0': { input: 3, cachedInput: 0.3, output: 15 },
  'anthropic.claude-3-7-sonnet-20250219-v1:0': { input: 3, cachedInput: 0.3, output: 15 },
  'anthropic.claude-3-5-haiku-20241022-v1:0': { input: 0.8, cachedInput: 0.08, output: 4 },
  'amazon.nova-pro-v1:0': { input: 0.8, cachedInput: 0.2, output: 3.2 },
  'amazon.nova-lite-v1:0': { input: 0.06, cachedInput: 0.015, output: 0.24 },
  'amazon.nova-micro-v1:0': { input: 0.035, cachedInput: 0.00875, output: 0.14 },
  'meta.llama3-3-70b-instruct-v1:0': { input: 0.72, output: 0.72 },
  'openai.gpt-oss-120b-1:0': { input: 0.15, output: 0.6 },
  'openai.gpt-oss-20b-1:0': { input: 0.07, output: 0.3 },
};

const price = z.strictObject({
  input: z.number().nonnegative().finite(),
  output: z.number().nonnegative().finite(),
  cachedInput: z.number().nonnegative().finite().optional(),
});
const table = z.record(z.string().min(1), price);

/** Validates a price table read from JSON; throws a ValidationError naming the bad entry. */
export function parsePriceTable(raw: unknown): PriceTable {
  const result = table.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue?.path.join('.') || '(root)';
    throw new ValidationError(`invalid price table at ${where}: ${issue?.message ?? 'malformed'}`, {
      field: where,
    });
  }
  return result.data;
}

/** Later tables win, model by model. */
export function mergePriceTables(...tables: PriceTable[]): PriceTable {
  return Object.assign({}, ...tables) as PriceTable;
}

// Bedrock cross-region inference profiles prefix the model id with a geography.
const REGION_PREFIX = /^(us|eu|apac|us-gov|ca|jp|au|global)\./;
// Dated snapshots and Bedrock versions of a listed model cost what the model costs. Anything else
// (`o3-pro`, `gpt-5-codex`) is a different product and stays unpriced rather than mispriced.
const SNAPSHOT_SUFFIX = /^(-\d{4}-\d{2}-\d{2}|-\d{8})?(-v\d+(:\d+)?|:\d+)?$/;

/**
 * The price of a model id: an exact key, else the id without a Bedrock region prefix, else the
 * longest key of which the id is a dated snapshot or version (`gpt-4o-mini-2024-07-18`).
 *
 * @example
 * findPrice(DEFAULT_PRICES, 'us.anthropic.claude-sonnet-4-20250514-v1:0'); // { input: 3, ... }
 */
export function findPrice(prices: PriceTable, model: string): ModelPrice | undefined {
  const candidates = [model, model.toLowerCase()];
  const bare = model.toLowerCase().replace(REGION_PREFIX, '');
  if (bare !== candidates[1]) candidates.push(bare);
  for (const candidate of candidates) {
    if (Object.hasOwn(prices, candidate)) return prices[candidate];
  }
  let best: string | undefined;
  for (const key of Object.keys(prices)) {
    const lower = key.toLowerCase();
    if (!bare.startsWith(lower) || !SNAPSHOT_SUFFIX.test(bare.slice(lower.length))) continue;
    if (best === undefined || key.length > best.length) best = key;
  }
  return best === undefined ? undefined : prices[best];
}

/**
 * The cost of one usage in USD. `cachedInInput`: whether `inputTokens` already counts the cached
 * tokens (OpenAI and compatible APIs) or reports them apart (Bedrock Converse).
 *
 * @example
 * usageCost({ inputTokens: 1_000_000, outputTokens: 0 }, { input: 0.25, output: 2 }); // 0.25
 */
export function usageCost(
  usage: Usage,
  modelPrice: ModelPrice,
  options: { cachedInInput?: boolean } = {},
): number {
  const cached = usage.cachedInputTokens ?? 0;
  const uncached =
    options.cachedInInput === false ? usage.inputTokens : Math.max(0, usage.inputTokens - cached);
  const dollars =
    uncached * modelPrice.input +
    cached * (modelPrice.cachedInput ?? modelPrice.input) +
    usage.outputTokens * modelPrice.output;
  return dollars / 1_000_000;
}

/** Providers whose adapters report prompt-cache reads apart from `inputTokens`. */
const CACHED_REPORTED_APART = new Set(['bedrock']);

export interface ModelCost {
  model: string;
  calls: number;
  usage: Usage;
  /** null: the table has no price for this model. */
  usd: number | null;
}

/**
 * Token usage and estimated cost, per model and in total. `usd` sums the priced models only;
 * `unpricedModels` names the others, so a display can say the figure is a lower bound.
 */
export interface CostTally {
  usd: number;
  usage: Usage;
  calls: number;
  byModel: ModelCost[];
  unpricedModels: string[];
  /** The model of the last model call seen: compaction summaries carry usage but no model, and are counted under it. */
  lastModel?: string;
}

export function emptyCostTally(): CostTally {
  return { usd: 0, usage: { inputTokens: 0, outputTokens: 0 }, calls: 0, byModel: [], unpricedModels: [] };
}

/**
 * Adds the model calls among `events` to a tally and returns the new tally (the old one is left
 * as it was), so a long log can be read and counted page by page.
 *
 * @example
 * let tally = emptyCostTally();
 * for (const page of pages) tally = tallyCost(page, DEFAULT_PRICES, tally);
 */
export function tallyCost(
  events: Iterable<SessionEvent>,
  prices: PriceTable,
  previous: CostTally = emptyCostTally(),
): CostTally {
  const byModel = new Map(
    previous.byModel.map((entry) => [entry.model, { ...entry, usage: { ...entry.usage } }]),
  );
  let lastModel = previous.lastModel;
  const add = (model: string, usage: Usage, cachedInInput: boolean, calls: number) => {
    const modelPrice = findPrice(prices, model);
    const entry = byModel.get(model) ?? {
      model,
      calls: 0,
      usage: { inputTokens: 0, outputTokens: 0 },
      usd: modelPrice ? 0 : null,
    };
    entry.calls += calls;
    entry.usage = addUsage(entry.usage, usage);
    if (modelPrice && entry.usd !== null) entry.usd += usageCost(usage, modelPrice, { cachedInInput });
    byModel.set(model, entry);
  };
  for (const event of events) {
    if (event.kind === 'model_response') {
      lastModel = event.model;
      add(event.model, event.usage, !CACHED_REPORTED_APART.has(event.provider), 1);
    } else if (event.kind === 'summary' && event.usage) {
      add(lastModel ?? '(unknown model)', event.usage, true, 1);
    }
  }
  return summarize([...byModel.values()], lastModel);
}

/** Adds tallies of several sessions (a tenant's total). */
export function sumCostTallies(tallies: Iterable<CostTally>): CostTally {
  const byModel = new Map<string, ModelCost>();
  for (const tally of tallies) {
    for (const entry of tally.byModel) {
      const sum = byModel.get(entry.model);
      byModel.set(
        entry.model,
        sum
          ? {
              model: entry.model,
              calls: sum.calls + entry.calls,
              usage: addUsage(sum.usage, entry.usage),
              usd: sum.usd === null || entry.usd === null ? null : sum.usd + entry.usd,
            }
          : { ...entry, usage: { ...entry.usage } },
      );
    }
  }
  return summarize([...byModel.values()], undefined);
}

function summarize(entries: ModelCost[], lastModel: string | undefined): CostTally {
  const sorted = entries.sort((a, b) => a.model.localeCompare(b.model));
  let usage: Usage = { inputTokens: 0, outputTokens: 0 };
  let usd = 0;
  let calls = 0;
  for (const entry of sorted) {
    usage = addUsage(usage, entry.usage);
    usd += entry.usd ?? 0;
    calls += entry.calls;
  }
  return {
    usd,
    usage,
    calls,
    byModel: sorted,
    unpricedModels: sorted.filter((entry) => entry.usd === null).map((entry) => entry.model),
    ...(lastModel === undefined ? {} : { lastModel }),
  };
}

function addUsage(a: Usage, b: Usage): Usage {
  const cached = (a.cachedInputTokens ?? 0) + (b.cachedInputTokens ?? 0);
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    ...(cached > 0 ? { cachedInputTokens: cached } : {}),
  };
}
