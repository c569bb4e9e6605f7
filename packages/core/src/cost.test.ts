import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PRICES,
  findPrice,
  mergePriceTables,
  parsePriceTable,
  sumCostTallies,
  tallyCost,
  usageCost,
} from './cost.js';
import { ValidationError } from './errors.js';
import { SCHEMA_VERSION, type SessionEvent, type Usage } from './events.js';

function modelCall(seq: number, model: string, usage: Usage, provider = 'openai'): SessionEvent {
  return {
    v: SCHEMA_VERSION,
    seq,
    at: seq,
    kind: 'model_response',
    text: '',
    toolCalls: [],
    usage,
    stopReason: 'end',
    provider,
    model,
    latencyMs: 10,
  };
}

describe('findPrice', () => {
  it('finds a model by its exact id, its snapshot and its Bedrock inference profile', () => {
    expect(findPrice(DEFAULT_PRICES, 'gpt-5-mini')).toEqual({ input: 0.25, cachedInput: 0.025, output: 2 });
    expect(findPrice(DEFAULT_PRICES, 'gpt-4o-mini-2024-07-18')).toBe(DEFAULT_PRICES['gpt-4o-mini']);
    expect(findPrice(DEFAULT_PRICES, 'us.anthropic.claude-sonnet-4-20250514-v1:0')).toBe(
      DEFAULT_PRICES['anthropic.claude-sonnet-4-20250514-v1:0'],
    );
  });

  it('leaves a different product of the same family unpriced rather than mispriced', () => {
    expect(findPrice(DEFAULT_PRICES, 'o3-pro')).toBeUndefined();
    expect(findPrice(DEFAULT_PRICES, 'gpt-5-codex')).toBeUndefined();
    expect(findPrice(DEFAULT_PRICES, 'offline-demo-1')).toBeUndefined();
  });
});

describe('usageCost', () => {
  it('prices a known usage in dollars per million tokens', () => {
    const price = { input: 0.25, cachedInput: 0.025, output: 2 };
    // 800k uncached * 0.25 + 200k cached * 0.025 + 100k out * 2 = 0.2 + 0.005 + 0.2
    expect(
      usageCost({ inputTokens: 1_000_000, cachedInputTokens: 200_000, outputTokens: 100_000 }, price),
    ).toBeCloseTo(0.405, 10);
  });

  it('adds cached tokens on top when the provider reports them apart from input', () => {
    const price = { input: 3, cachedInput: 0.3, output: 15 };
    const usage = { inputTokens: 1_000_000, cachedInputTokens: 1_000_000, outputTokens: 0 };
    expect(usageCost(usage, price, { cachedInInput: false })).toBeCloseTo(3.3, 10);
  });

  it('charges cached tokens at the input price when a model has no cache price', () => {
    expect(
      usageCost(
        { inputTokens: 2_000_000, cachedInputTokens: 1_000_000, outputTokens: 0 },
        { input: 1, output: 1 },
      ),
    ).toBe(2);
  });
});

describe('tallyCost', () => {
  it('sums calls per model, counts Bedrock cache reads apart, and names unpriced models', () => {
    const events = [
      modelCall(1, 'gpt-5-mini', { inputTokens: 1_000_000, outputTokens: 500_000 }),
      modelCall(2, 'gpt-5-mini', { inputTokens: 1_000_000, cachedInputTokens: 1_000_000, outputTokens: 0 }),
      modelCall(
        3,
        'us.anthropic.claude-sonnet-4-20250514-v1:0',
        { inputTokens: 1_000_000, cachedInputTokens: 1_000_000, outputTokens: 0 },
        'bedrock',
      ),
      modelCall(4, 'my-own-model', { inputTokens: 10, outputTokens: 10 }),
    ];
    const tally = tallyCost(events, DEFAULT_PRICES);
    expect(tally.calls).toBe(4);
    expect(tally.byModel.find((entry) => entry.model === 'gpt-5-mini')?.usd).toBeCloseTo(
      0.25 + 1 + 0.025,
      10,
    );
    expect(tally.byModel.find((entry) => entry.model.startsWith('us.anthropic'))?.usd).toBeCloseTo(3.3, 10);
    expect(tally.usd).toBeCloseTo(1.275 + 3.3, 10);
    expect(tally.unpricedModels).toEqual(['my-own-model']);
    expect(tally.usage).toEqual({
      inputTokens: 3_000_010,
      outputTokens: 500_010,
      cachedInputTokens: 2_000_000,
    });
  });

  it('gives the same tally page by page as all at once, and counts a summary under the last model', () => {
    const events: SessionEvent[] = [
      modelCall(1, 'gpt-4.1', { inputTokens: 1000, outputTokens: 100 }),
      {
        v: SCHEMA_VERSION,
        seq: 2,
        at: 2,
        kind: 'summary',
        text: 's',
        throughSeq: 1,
        usage: { inputTokens: 500, outputTokens: 50 },
      },
      modelCall(3, 'gpt-4.1', { inputTokens: 2000, outputTokens: 200 }),
    ];
    const whole = tallyCost(events, DEFAULT_PRICES);
    const paged = tallyCost(events.slice(2), DEFAULT_PRICES, tallyCost(events.slice(0, 2), DEFAULT_PRICES));
    expect(paged).toEqual(whole);
    expect(whole.byModel).toEqual([
      {
        model: 'gpt-4.1',
        calls: 3,
        usage: { inputTokens: 3500, outputTokens: 350 },
        usd: (3500 * 2 + 350 * 8) / 1e6,
      },
    ]);
  });
});

describe('sumCostTallies', () => {
  it('adds sessions into a tenant total by model', () => {
    const a = tallyCost([modelCall(1, 'gpt-5', { inputTokens: 1_000_000, outputTokens: 0 })], DEFAULT_PRICES);
    const b = tallyCost([modelCall(1, 'gpt-5', { inputTokens: 0, outputTokens: 1_000_000 })], DEFAULT_PRICES);
    const total = sumCostTallies([a, b]);
    expect(total.usd).toBeCloseTo(11.25, 10);
    expect(total.byModel).toEqual([
      { model: 'gpt-5', calls: 2, usage: { inputTokens: 1_000_000, outputTokens: 1_000_000 }, usd: 11.25 },
    ]);
  });
});

describe('parsePriceTable', () => {
  it('accepts a valid table and lets it override the built-in prices model by model', () => {
    const custom = parsePriceTable({
      'gpt-5-mini': { input: 1, output: 1 },
      'my-model': { input: 0.5, output: 1.5, cachedInput: 0.05 },
    });
    const merged = mergePriceTables(DEFAULT_PRICES, custom);
    expect(merged['gpt-5-mini']).toEqual({ input: 1, output: 1 });
    expect(merged['gpt-5']).toBe(DEFAULT_PRICES['gpt-5']);
    expect(findPrice(merged, 'my-model')?.cachedInput).toBe(0.05);
  });

  it('rejects a negative price or an unknown field, naming the entry', () => {
    expect(() => parsePriceTable({ m: { input: -1, output: 1 } })).toThrow(/m\.input/);
    expect(() => parsePriceTable({ m: { input: 1, output: 1, currency: 'EUR' } })).toThrow(ValidationError);
    expect(() => parsePriceTable([1])).toThrow(ValidationError);
  });
});
