import type { ColdStartResult } from './cold-start/cold-start.js';
import { contentBytes } from './conversation.js';
import { bytes, int, ms } from './format.js';
import { median } from './stats.js';
import { sampleAt as at, type TargetResult } from './turns.js';

/** The last turn with a tool call a result reached, at most `limit`. */
function lastToolTurn(result: TargetResult, limit = 1000): number {
  const last = Math.min(limit, result.turns);
  return last - (last % 2);
}

function contentRatio(result: TargetResult): string {
  const sample = at(result, lastToolTurn(result));
  return sample ? `${(sample.bytes / contentBytes(sample.turn)).toFixed(2)}×` : '—';
}

/**
 * Issue 9's targets for Baton, each next to what this run measured: bytes per turn flat and at most
 * 1.3x the turn's content; time per turn at turn 1000 at most 2x the floor's; a Lambda HTTP bundle
 * smaller, and a cold start no slower, than the AI SDK's minimal handler.
 */
export function targetRows(results: TargetResult[], cold: ColdStartResult[]): string[][] {
  const rows: string[][] = [];
  for (const result of results.filter((r) => r.id.startsWith('baton-'))) {
    const early = at(result, 10);
    const late = at(result, lastToolTurn(result));
    if (!early || !late) continue;
    const content = contentBytes(late.turn);
    rows.push([
      `${result.label}: bytes per turn flat 10→${late.turn}, ≤ 1.3× content`,
      `${int(early.bytes)} → ${int(late.bytes)} B (+${((late.bytes / early.bytes - 1) * 100).toFixed(1)}%); ${(late.bytes / content).toFixed(2)}× the ${int(content)} B of content`,
    ]);
  }
  const others = results.filter((r) => !r.id.startsWith('baton-'));
  if (others.length > 0) {
    rows.push([
      'for reference: bytes per turn over content, the others',
      others.map((r) => `${r.label} ${contentRatio(r)}`).join('; '),
    ]);
  }
  // The floor keeps its rows in SQLite: only Baton on SQLite compares like with like.
  const baton = results.find((r) => r.id === 'baton-sqlite')?.times.find((t) => t.mark === 1000);
  const floor = results.find((r) => r.id === 'floor')?.times.find((t) => t.mark === 1000);
  if (baton && floor) {
    rows.push([
      'Baton, SQLite file: time per turn at 1000 ≤ 2× the floor (both on SQLite)',
      `${ms(median(baton.ms))} ms vs ${ms(median(floor.ms))} ms (${(median(baton.ms) / median(floor.ms)).toFixed(1)}×)`,
    ]);
  }
  const http = cold.find((result) => result.id === 'lambda-http' && !result.error);
  const aiSdk = cold.find((result) => result.id === 'ai-sdk' && !result.error);
  if (http && aiSdk) {
    rows.push([
      'Lambda HTTP bundle (DynamoDB store, OpenAI adapter, AWS SDK bundled) smaller than the AI SDK handler',
      `${bytes(http.gzipBytes)} vs ${bytes(aiSdk.gzipBytes)} gzip; ${bytes(http.bundleBytes)} vs ${bytes(aiSdk.bundleBytes)} raw`,
    ]);
    rows.push([
      'Lambda HTTP cold start no slower than the AI SDK handler',
      `${ms(median(http.wallMs))} ms vs ${ms(median(aiSdk.wallMs))} ms (median)`,
    ]);
  }
  return rows;
}
