import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchTarget, Endpoints, Location, TurnSample } from './harness.js';
import { type BenchOptions, TIME_MARKS } from './options.js';
import type { WorkerJob } from './turn-worker.js';

/** What one target measured: every turn's counts, the timed turns per mark, and a cold invocation. */
export interface TargetResult {
  id: string;
  label: string;
  turns: number;
  /** Wall time of the whole chain of processes. */
  elapsedMs: number;
  samples: TurnSample[];
  /** Framework ms of the timed turns around each mark, from `processes` processes. */
  times: { mark: number; from: number; to: number; processes: number; ms: number[] }[];
  cold: TurnSample;
}

/** The counts of one turn, when the target ran that far. */
export function sampleAt(result: TargetResult, turn: number): TurnSample | undefined {
  return turn <= result.turns ? result.samples[turn - 1] : undefined;
}

/** One process of the chain: `from`..`to`, of which `timedFrom`.. are timed (the rest only advance). */
interface Segment {
  from: number;
  to: number;
  timedFrom: number;
  mark: number | null;
}

/**
 * Cuts the conversation into processes: for each time mark, the last `window` turns up to it are
 * split across `processes` processes (each warmed up first), and whatever lies between windows is
 * run by the first process of the next window. Every turn runs exactly once, so the counts of a
 * turn never depend on how the conversation was cut.
 */
export function planSegments(turns: number, options: Pick<BenchOptions, 'processes' | 'window'>): Segment[] {
  const segments: Segment[] = [];
  let next = 1;
  for (const mark of TIME_MARKS.filter((m) => m <= turns)) {
    const start = Math.max(next, mark - options.window + 1);
    const length = mark - start + 1;
    const parts = Math.min(options.processes, length);
    for (let part = 0; part < parts; part++) {
      const timedFrom = start + Math.floor((length * part) / parts);
      const to = start + Math.floor((length * (part + 1)) / parts) - 1;
      segments.push({ from: part === 0 ? next : timedFrom, to, timedFrom, mark });
    }
    next = mark + 1;
  }
  if (next <= turns) segments.push({ from: next, to: turns, timedFrom: turns + 1, mark: null });
  return segments;
}

const WORKER = new URL('./turn-worker.ts', import.meta.url).pathname;
const REPO_ROOT = new URL('..', import.meta.url).pathname;
const WARMUP_TURNS = 10;

async function runWorker(job: Omit<WorkerJob, 'output'>, dir: string): Promise<TurnSample[]> {
  const output = join(dir, `samples-${job.from}-${job.to}.json`);
  const stderr: string[] = [];
  // The workers run the sources, as the parent does (npm run bench passes the same condition): without
  // it they would load whatever packages/*/dist an earlier build left, or nothing on a fresh clone.
  const child = spawn(process.execPath, ['--conditions=@baton/source', '--import', 'tsx', WORKER], {
    cwd: REPO_ROOT,
    env: { ...process.env, BENCH_JOB: JSON.stringify({ ...job, output }) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`${job.target} turns ${job.from}-${job.to} failed:\n${stderr.join('')}`);
  return JSON.parse(readFileSync(output, 'utf8')) as TurnSample[];
}

/** Runs one target's conversation as a chain of processes, then one cold invocation. */
export async function runTarget(
  target: BenchTarget,
  turns: number,
  options: BenchOptions,
  endpoints: Endpoints,
): Promise<TargetResult> {
  const dir = mkdtempSync(join(tmpdir(), `baton-bench-${target.id}-`));
  const runId = Date.now().toString(36);
  const location: Location = { dir, sessionId: `${target.id}-${runId}`, endpoints };
  const scratch = (index: number): Location => {
    const scratchDir = join(dir, `scratch-${index}`);
    return {
      dir: mkdtempSync(`${scratchDir}-`),
      sessionId: `${location.sessionId}-scratch-${index}`,
      endpoints,
    };
  };
  const started = performance.now();
  try {
    await target.prepare?.(location);
    const samples: TurnSample[] = [];
    const times = new Map<number, TargetResult['times'][number]>();
    const segments = planSegments(turns, options);
    for (const [index, segment] of segments.entries()) {
      const got = await runWorker(
        {
          target: target.id,
          location,
          scratch: scratch(index),
          warmupTurns: segment.mark === null ? 0 : WARMUP_TURNS,
          from: segment.from,
          to: segment.to,
        },
        dir,
      );
      samples.push(...got);
      if (segment.mark === null) continue;
      const entry = times.get(segment.mark) ?? {
        mark: segment.mark,
        from: segment.timedFrom,
        to: segment.to,
        processes: 0,
        ms: [],
      };
      entry.to = segment.to;
      entry.processes++;
      entry.ms.push(
        ...got.filter((sample) => sample.turn >= segment.timedFrom).map((sample) => sample.frameworkMs),
      );
      times.set(segment.mark, entry);
    }
    // A fresh process that loads the stored conversation and runs one more turn.
    const [cold] = await runWorker(
      { target: target.id, location, warmupTurns: 0, from: turns + 1, to: turns + 1 },
      dir,
    );
    return {
      id: target.id,
      label: target.label,
      turns,
      elapsedMs: performance.now() - started,
      samples,
      times: [...times.values()],
      cold: cold!,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
