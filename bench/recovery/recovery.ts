/**
 * `npm run bench:recovery`: only the recovery part of `npm run bench` (a minute or two).
 * BENCH_RECOVERY_RUNS=10 kills per crash point (default 10), as in the full bench.
 */
import { recoveryReport, runRecovery } from './recovery-bench.js';

const runs = Number(process.env.BENCH_RECOVERY_RUNS ?? 10);
if (!Number.isInteger(runs) || runs < 1)
  throw new Error(`BENCH_RECOVERY_RUNS must be a positive integer, got ${runs}`);
const rows = await runRecovery(runs, (line) => process.stderr.write(`${line}\n`));
process.stdout.write(`${recoveryReport(rows).join('\n')}\n`);
