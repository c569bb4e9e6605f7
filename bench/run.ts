/**
 * `npm run bench`: Baton next to the frameworks users would pick instead (issues 9 and 19), measured in
 * one run on this machine. Prints markdown tables and writes them to bench/results/latest.md,
 * the raw figures to bench/results/latest.json, and the bytes-per-turn chart to
 * docs/bench-bytes-per-turn.svg (a run of a subset writes its chart under bench/results/).
 * Options: bench/options.ts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { bytesPerTurnSvg } from './chart.js';
import { COLD_HANDLERS, type ColdStartResult, coldSummary, runColdStarts } from './cold-start/cold-start.js';
import { writesPerTurn } from './cost/write-counts.js';
import { startEmulators } from './emulators.js';
import type { BenchTarget } from './harness.js';
import { benchOptions, selected } from './options.js';
import { type RecoveryResult, recoveryReport, runRecovery } from './recovery/recovery-bench.js';
import { load, machine, report } from './report.js';
import { runStreamingBench, type StreamingResult, streamingReport } from './streaming/streaming-bench.js';
import { type SweepRow, sweepReport, sweepScaling } from './sweep/sweep-bench.js';
import { SWEEP_STORES } from './sweep/sweep-stores.js';
import { loadTarget, TARGET_IDS } from './targets/all-targets.js';
import { runTarget, type TargetResult } from './turns.js';

const started = performance.now();
const loadAtStart = load();
const options = benchOptions();
const targets: BenchTarget[] = [];
for (const id of TARGET_IDS) if (selected(options, 'turns', id)) targets.push(await loadTarget(id));
const coldIds = COLD_HANDLERS.map((handler) => handler.id).filter((id) => selected(options, 'cold', id));
const sweepKinds = SWEEP_STORES.filter((kind) => selected(options, 'sweep', `sweep-${kind.id}`));
const recovery = selected(options, 'recovery', 'recovery');
const streaming = selected(options, 'streaming', 'streaming');
const known = new Set([
  'turns',
  'cold',
  'sweep',
  'recovery',
  'streaming',
  ...TARGET_IDS,
  ...COLD_HANDLERS.map((handler) => handler.id),
  ...SWEEP_STORES.map((kind) => `sweep-${kind.id}`),
]);
const unknown = [...(options.only ?? [])].filter((id) => !known.has(id));
if (unknown.length > 0)
  throw new Error(`BENCH_ONLY names ${unknown.join(', ')}; known: ${[...known].join(', ')}`);

const needs = new Set<'dynamodb' | 'cosmos'>();
for (const target of targets) if (target.needs) needs.add(target.needs);
if (COLD_HANDLERS.some((h) => coldIds.includes(h.id) && h.uses.includes('dynamodb'))) needs.add('dynamodb');
if (coldIds.some((id) => id.startsWith('azure-app'))) needs.add('cosmos');
for (const kind of sweepKinds) if (kind.needs) needs.add(kind.needs);
if (streaming) needs.add('dynamodb');

const log = (line: string) => process.stderr.write(`${line}\n`);
log(`bench: ${machine()}; ${targets.length} turn targets, ${coldIds.length} cold-start handlers`);
const emulators = await startEmulators(needs);
const results: TargetResult[] = [];
let cold: ColdStartResult[] = [];
const sweeps: SweepRow[] = [];
let recoveries: RecoveryResult[] = [];
let streamed: StreamingResult | undefined;
try {
  for (const target of targets) {
    const turns = Math.min(
      target.peer ? options.peerTurns : options.turns,
      target.maxTurns ?? Number.POSITIVE_INFINITY,
    );
    const before = performance.now();
    log(`bench: ${target.id}, ${turns} turns...`);
    results.push(await runTarget(target, turns, options, emulators.endpoints));
    log(`bench: ${target.id} done in ${((performance.now() - before) / 1000).toFixed(1)} s`);
  }
  if (coldIds.length > 0) {
    log(`bench: cold starts, ${options.coldRuns} runs each...`);
    cold = await runColdStarts((id) => coldIds.includes(id), options.coldRuns, emulators.endpoints);
    for (const result of cold) log(`bench:   ${coldSummary(result)}`);
  }
  for (const kind of sweepKinds) sweeps.push(...(await sweepScaling(kind, emulators.endpoints, { log })));
  if (recovery) {
    log(
      `bench: recovery after a crash of the local server, ${options.recoveryRuns} kills per crash point...`,
    );
    recoveries = await runRecovery(options.recoveryRuns, log);
  }
  if (streaming) {
    const runs = { runs: options.streamRuns, turns: options.streamTurns };
    streamed = await runStreamingBench(runs, emulators.endpoints, log);
  }
} finally {
  await emulators.stop();
}

// Issue 19's target 2 for an at-most-once tool: a few turns on the memory store, in this process.
const atMostOnce = targets.some((target) => target.id.startsWith('baton-'))
  ? await writesPerTurn('at-most-once')
  : undefined;
const elapsed = performance.now() - started;
const text = [
  ...report(results, cold, options, { elapsedMs: elapsed, loadAtStart }, atMostOnce ? { atMostOnce } : {}),
  ...(sweeps.length > 0 ? ['', ...sweepReport(sweeps)] : []),
  ...(recoveries.length > 0 ? ['', ...recoveryReport(recoveries)] : []),
  ...(streamed ? ['', ...streamingReport(streamed)] : []),
].join('\n');
process.stdout.write(`${text}\n`);
const resultsDir = new URL('./results/', import.meta.url);
mkdirSync(resultsDir, { recursive: true });
writeFileSync(new URL('latest.md', resultsDir), `${text}\n`);
writeFileSync(
  new URL('latest.json', resultsDir),
  `${JSON.stringify({ options: { ...options, only: options.only && [...options.only] }, results, cold, atMostOnce, sweeps, recoveries, streaming: streamed })}\n`,
);
if (results.length > 0) {
  // Only a full run of every framework replaces the chart the README shows.
  const complete = options.only === null && options.turns >= 1000;
  const chart = complete
    ? new URL('../docs/bench-bytes-per-turn.svg', import.meta.url)
    : new URL('bytes-per-turn.svg', resultsDir);
  const caption = `npm run bench, ${new Date().toISOString().slice(0, 10)}. Each point is the mean of two turns (one with a tool call, one without); the store's own byte count where it keeps one. Spikes: Baton's compactions.`;
  if (complete) mkdirSync(new URL('../docs/', import.meta.url), { recursive: true });
  writeFileSync(chart, bytesPerTurnSvg(results, caption));
  log(`bench: chart written to ${chart.pathname}`);
}
log(`bench: ${(elapsed / 1000).toFixed(0)} s`);
