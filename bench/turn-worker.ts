/**
 * One benchmark process, spawned by bench/turns.ts. It warms the JIT on a scratch conversation,
 * then runs turns `from`..`to` of the main conversation (which earlier processes left in the
 * store) and writes the samples as JSON to the file it was given. Processes are separate so that
 * several of them time the same turns, and so the emulators never run inside the timed process.
 */
import { writeFileSync } from 'node:fs';
import type { Location, TurnSample } from './harness.js';
import { loadTarget } from './targets/all-targets.js';

export interface WorkerJob {
  target: string;
  location: Location;
  /** A conversation of its own for the warm-up turns; none for a cold invocation. */
  scratch?: Location;
  warmupTurns: number;
  from: number;
  to: number;
  output: string;
}

const job = JSON.parse(process.env.BENCH_JOB ?? '') as WorkerJob;
const target = await loadTarget(job.target);

async function runTurns(location: Location, from: number, to: number): Promise<TurnSample[]> {
  const harness = await target.open(location);
  const samples: TurnSample[] = [];
  try {
    for (let turn = from; turn <= to; turn++) samples.push(await harness.turn(turn));
  } finally {
    await harness.close();
  }
  return samples;
}

if (job.scratch && job.warmupTurns > 0) await runTurns(job.scratch, 1, job.warmupTurns);
const samples = await runTurns(job.location, job.from, job.to);
writeFileSync(job.output, JSON.stringify(samples));
