/**
 * What `npm run bench` runs, from the environment. Defaults fit a few minutes on 2 cores; every
 * figure is printed with the turns and processes it came from.
 *
 *   BENCH_TURNS=1000        turns of Baton and the no-framework floor
 *   BENCH_PEER_TURNS=200    turns of the peers (their per-turn cost grows with the conversation)
 *   BENCH_ONLY=a,b          only these targets and handlers (ids below; `turns`, `cold`, `sweep`, `recovery` or `streaming` for a whole part)
 *   BENCH_PROCESSES=3       processes that time each mark
 *   BENCH_WINDOW=30         turns timed per mark, split across the processes
 *   BENCH_COLD_RUNS=7       cold starts per handler (BENCH_COLD_PROFILE=1 profiles one more; BENCH_COLD_PROFILE_DIR keeps the profiles)
 *   BENCH_RECOVERY_RUNS=10  SIGKILLs of the local server per crash point (`recovery`)
 *   BENCH_STREAM_RUNS=20    streamed POSTs timed to their first delta (`streaming`)
 *   BENCH_STREAM_TURNS=5    turns per store and mode whose store writes are counted (`streaming`)
 *   BENCH_CLOUD_RECOVERY_RUNS=8  worker crashes per cloud host (`recovery`; 0 skips the AWS and Azure part)
 */
export interface BenchOptions {
  turns: number;
  peerTurns: number;
  only: ReadonlySet<string> | null;
  processes: number;
  window: number;
  coldRuns: number;
  recoveryRuns: number;
  streamRuns: number;
  streamTurns: number;
}

function count(name: string, fallback: number, minimum = 1): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < minimum)
    throw new Error(`${name} must be an integer >= ${minimum}, got ${raw}`);
  return value;
}

export function benchOptions(): BenchOptions {
  const only = process.env.BENCH_ONLY?.trim();
  const turns = count('BENCH_TURNS', 1000);
  return {
    turns,
    peerTurns: Math.min(turns, count('BENCH_PEER_TURNS', 200)),
    only: only ? new Set(only.split(',').map((id) => id.trim())) : null,
    processes: count('BENCH_PROCESSES', 3),
    window: count('BENCH_WINDOW', 30),
    coldRuns: count('BENCH_COLD_RUNS', 7),
    recoveryRuns: count('BENCH_RECOVERY_RUNS', 10),
    streamRuns: count('BENCH_STREAM_RUNS', 20),
    streamTurns: count('BENCH_STREAM_TURNS', 5),
  };
}

/** Whether a target or handler `id` of `part` ('turns', 'cold' or 'sweep') is selected. */
export function selected(
  options: BenchOptions,
  part: 'turns' | 'cold' | 'sweep' | 'recovery' | 'streaming',
  id: string,
): boolean {
  return !options.only || options.only.has(part) || options.only.has(id);
}

/** The turns whose bytes and writes the tables show, and the turns whose time they show. */
export const COUNT_MARKS = [1, 10, 100, 200, 1000] as const;
export const TIME_MARKS = [10, 200, 1000] as const;
