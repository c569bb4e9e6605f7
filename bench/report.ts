import { cpus, loadavg } from 'node:os';
import type { ColdStartResult } from './cold-start/cold-start.js';
import { costEstimates, costTable } from './cost/cost-report.js';
import { bytes, int, ms, table } from './format.js';
import type { TurnSample } from './harness.js';
import { type TargetInputs, targetRows } from './issue-targets.js';
import { type BenchOptions, COUNT_MARKS, TIME_MARKS } from './options.js';
import { median, quantile } from './stats.js';
import { sampleAt as at, type TargetResult } from './turns.js';

const NOT_RUN = '—';

function cumulative(result: TargetResult, turn: number, pick: (sample: TurnSample) => number): number {
  return result.samples.slice(0, turn).reduce((sum, sample) => sum + pick(sample), 0);
}

export function machine(): string {
  const cpu = cpus();
  return `node ${process.version}, ${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown CPU'}), ${process.platform}`;
}

/** The 1-minute load average: timings from a busy machine say so. */
export function load(): string {
  return loadavg()[0]!.toFixed(1);
}

function storageTables(results: TargetResult[]): string[] {
  const marks = COUNT_MARKS.filter((mark) => results.some((result) => mark <= result.turns));
  const bytesRows = results.map((result) => [
    result.label,
    ...marks.map((mark) => {
      const sample = at(result, mark);
      if (!sample) return NOT_RUN;
      const physical = sample.physicalBytes;
      return physical === undefined || physical === sample.bytes
        ? int(sample.bytes)
        : `${int(sample.bytes)} (${int(physical)})`;
    }),
    `${bytes(cumulative(result, result.turns, (s) => s.bytes))} in ${result.turns}`,
  ]);
  const opsRows = results.map((result) => [
    result.label,
    ...marks.map((mark) => {
      const sample = at(result, mark);
      if (!sample) return NOT_RUN;
      return sample.roundTrips === undefined ? `${sample.writes}` : `${sample.writes} (${sample.roundTrips})`;
    }),
    `${result.cold.reads}${result.cold.roundTrips === undefined ? '' : ` (${result.cold.roundTrips})`}`,
  ]);
  return [
    '### Bytes written per turn',
    '',
    'Logical bytes: the JSON of the records a turn stores (for the SQLite-backed peers, the bytes of the values',
    'bound to their INSERTs). In parentheses, what the store counts where it differs: DynamoDB item sizes, Cosmos',
    'documents. Turns 10, 100, 200 and 1000 call the tool; turn 1 does not.',
    '',
    ...table(['framework, store', ...marks.map((mark) => `turn ${mark}`), 'cumulative (turns)'], bytesRows),
    '',
    '### Store operations',
    '',
    'Write operations per turn (commits, appends, checkpoint puts); in parentheses, requests to the store service',
    'including reads. Last column: read operations of a cold invocation (a new process loads the conversation,',
    'then runs one turn), with its requests to the service.',
    '',
    ...table(
      ['framework, store', ...marks.map((mark) => `writes turn ${mark}`), 'reads per cold invocation'],
      opsRows,
    ),
  ];
}

function timeTable(results: TargetResult[]): string[] {
  const marks = TIME_MARKS.filter((mark) => results.some((result) => mark <= result.turns));
  const rows = results.map((result) => [
    result.label,
    ...marks.map((mark) => {
      const entry = result.times.find((time) => time.mark === mark);
      if (!entry) return NOT_RUN;
      return `${ms(median(entry.ms))} (${ms(quantile(entry.ms, 0.25))}–${ms(quantile(entry.ms, 0.75))})`;
    }),
    marks
      .map((mark) => result.times.find((time) => time.mark === mark))
      .filter((entry) => entry !== undefined)
      .map((entry) => `${entry.from}–${entry.to} in ${entry.processes}`)
      .join(', '),
    `${(result.elapsedMs / 1000).toFixed(0)} s`,
  ]);
  return [
    '### Framework time per turn',
    '',
    "Wall time of a turn minus the fake model's, in ms: median (25th–75th percentile) over the turns up to the",
    'mark, timed in separate processes that each warmed up on a scratch conversation first. Includes the store:',
    'for DynamoDB Local and the Cosmos server that is mostly the emulator, on this machine.',
    '',
    ...table(
      ['framework, store', ...marks.map((mark) => `turn ${mark}`), 'timed turns in processes', 'run took'],
      rows,
      2,
    ),
  ];
}

function coldTable(results: ColdStartResult[], runs: number): string[] {
  const rows = results.map((result) =>
    result.error
      ? [result.label, NOT_RUN, NOT_RUN, NOT_RUN, NOT_RUN, NOT_RUN, `not measured: ${result.error}`]
      : [
          result.label,
          bytes(result.bundleBytes),
          bytes(result.gzipBytes),
          bytes(result.loadGzipBytes ?? result.gzipBytes),
          `${ms(median(result.wallMs))} (${ms(Math.min(...result.wallMs))}–${ms(Math.max(...result.wallMs))})`,
          ms(median(result.loadMs)),
          `${result.note}; answered ${result.statuses.join(', ')}`,
        ],
  );
  return [
    '### Cold start and bundle size',
    '',
    `esbuild bundles (minified, ESM, node20). Cold start: wall time of a fresh \`node\` process that loads the`,
    `bundle and answers one request (a message that makes the fake model call one tool, then reply), median`,
    `(min–max) of ${runs} runs, handlers interleaved. Bundle and gzip: every chunk (what deploys); load path:`,
    `gzip of the entry and the chunks it imports statically (what a cold start loads; Slack, the console`,
    `and other lazily imported chunks are shipped but not loaded).`,
    '',
    ...table(
      ['handler', 'bundle', 'gzip', 'gzip, load path', 'cold start ms', 'of which import ms', 'what it does'],
      rows,
      1,
    ),
  ];
}

/** The whole report as markdown lines. */
export function report(
  results: TargetResult[],
  cold: ColdStartResult[],
  options: BenchOptions,
  run: { elapsedMs: number; loadAtStart: string },
  measured: Pick<TargetInputs, 'atMostOnce'> = {},
): string[] {
  const lines = [
    `## Baton benchmark, ${new Date().toISOString().slice(0, 10)}`,
    '',
    `Machine: ${machine()}; load average ${run.loadAtStart} at the start, ${load()} at the end. Run: \`npm run bench\` (BENCH_TURNS=${options.turns}, BENCH_PEER_TURNS=${options.peerTurns}, BENCH_PROCESSES=${options.processes}, BENCH_WINDOW=${options.window}, BENCH_COLD_RUNS=${options.coldRuns}${options.only ? `, BENCH_ONLY=${[...options.only].join(',')}` : ''}), ${(run.elapsedMs / 1000).toFixed(0)} s.`,
    '',
    'Workload: one conversation; each turn a ~200-character message and a ~300-character reply, every second turn a',
    'tool call with a ~120-character result, from a scripted model that answers at once. Every framework loads its',
    'state from its store at the start of each turn, as a serverless invocation would.',
    '',
  ];
  if (results.length > 0) lines.push(...storageTables(results), '', ...timeTable(results), '');
  if (cold.length > 0) lines.push(...coldTable(cold, options.coldRuns), '');
  const costs = costEstimates(results);
  if (costs.length > 0) lines.push(...costTable(costs), '');
  const targets = targetRows({ results, cold, costs, ...measured });
  lines.push(
    "### Issue 19's targets",
    '',
    'Each target with Baton\'s figure from this run, the peer figure beside it, and whether it is met; "not run" where',
    'this run did not measure it (BENCH_ONLY).',
    '',
    ...table(
      ['target', 'Baton', 'peer', 'met'],
      targets.map((row) => [row.target, row.baton, row.peer, row.met]),
      3,
    ),
    '',
  );
  return lines;
}
