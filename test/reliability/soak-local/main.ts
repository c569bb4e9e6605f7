/**
 * `npm run soak`: SOAK_SECONDS of traffic (default 1200) against a real `baton serve` that is
 * SIGKILLed every SOAK_KILL_MIN_SECONDS..SOAK_KILL_MAX_SECONDS (default 10..40) and restarted on
 * the same SQLite file, its model failing SOAK_MODEL_FAULT_RATE (default 0.1) of requests; seeded
 * by SOAK_SEED. Prints the counts and recovery times; exit code 1 unless every count is 0.
 */
import { failureCounts, localSoakReport, runLocalSoak } from './soak-local.js';

function setting(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(value) || value < 0)
    throw new Error(`${name} must be a non-negative number, got ${raw}`);
  return value;
}

const result = await runLocalSoak({
  seconds: setting('SOAK_SECONDS', 1200),
  seed: setting('SOAK_SEED', 15),
  killEverySeconds: [setting('SOAK_KILL_MIN_SECONDS', 10), setting('SOAK_KILL_MAX_SECONDS', 40)],
  faultRate: setting('SOAK_MODEL_FAULT_RATE', 0.1),
  sessions: setting('SOAK_SESSIONS', 6),
  drainSeconds: setting('SOAK_DRAIN_SECONDS', 300),
  modelCallMs: setting('SOAK_MODEL_CALL_MS', 5_000),
  log: (line) => process.stderr.write(`${line}\n`),
});
process.stdout.write(`${localSoakReport(result).join('\n')}\n`);
const failures = Object.entries(failureCounts(result)).filter(([, count]) => count > 0);
if (failures.length > 0) {
  process.stdout.write(`FAILED: ${failures.map(([name, count]) => `${name} ${count}`).join(', ')}\n`);
  process.exitCode = 1;
}
