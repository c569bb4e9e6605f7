import type { CostTally, Usage } from '@baton/core';

/** Small figures keep four decimals: a session on a cheap model costs fractions of a cent. */
export function formatUsd(usd: number): string {
  if (usd === 0) return '$0.00';
  if (usd < 1) return `$${usd.toFixed(4)}`;
  return `$${usd.toFixed(2)}`;
}

export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

export function formatUsage(usage: Usage): string {
  const cached = usage.cachedInputTokens ? ` (${formatCount(usage.cachedInputTokens)} cached)` : '';
  return `${formatCount(usage.inputTokens)} in${cached} / ${formatCount(usage.outputTokens)} out`;
}

/** "$0.0123", or "$0.0123 + unpriced: a, b" when some models have no price (the figure is then a lower bound). */
export function formatCost(tally: CostTally): string {
  if (tally.calls === 0) return '$0.00';
  const unpriced = tally.unpricedModels.length > 0 ? ` + unpriced: ${tally.unpricedModels.join(', ')}` : '';
  if (tally.unpricedModels.length === tally.byModel.length)
    return `n/a (no price for ${tally.unpricedModels.join(', ')})`;
  return `${formatUsd(tally.usd)}${unpriced}`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** ISO 8601 in UTC: the same string on every host, readable and sortable. */
export function formatTime(epochMs: number): string {
  return new Date(epochMs)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, 'Z');
}
