/**
 * `npx tsx --conditions=@baton/source bench/cloud-recovery/run-cloud-recovery.ts`: only the cloud
 * part of `npm run bench:recovery` (a couple of minutes: real queue visibility). BENCH_RECOVERY_RUNS
 * crash points per host (default 8), all crashed at once. Prints a markdown table.
 */
import { cloudRecoveryReport, runCloudRecovery } from '../recovery/cloud-part.js';

const runs = Number(process.env.BENCH_RECOVERY_RUNS ?? 8);
const rows = await runCloudRecovery(runs, (line) => process.stderr.write(`${line}\n`));
process.stdout.write(`${cloudRecoveryReport(rows).join('\n')}\n`);
