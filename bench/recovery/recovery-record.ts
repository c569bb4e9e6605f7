import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The last recovery figures per host (`local`, `aws`, `azure`), kept in bench/recovery/figures.json
 * by the benchmarks that measure them, so the reliability suite's table can show them without
 * timing anything itself. Unlike bench/results (this machine's last run, not committed), the file
 * is committed: a fresh clone's table shows the figures the docs quote.
 */
export interface RecoveryRecord {
  measuredAt: string;
  /** Crashes over all crash points. */
  runs: number;
  p50Ms: number;
  p99Ms: number;
  /** Where the figure came from, e.g. `npm run bench:recovery`. */
  source: string;
}

const FILE = fileURLToPath(new URL('./figures.json', import.meta.url));

export function readRecovery(): Record<string, RecoveryRecord> {
  if (!existsSync(FILE)) return {};
  return JSON.parse(readFileSync(FILE, 'utf8')) as Record<string, RecoveryRecord>;
}

/** Replaces `host`'s figures, keeping the other hosts'. */
export function recordRecovery(host: string, record: RecoveryRecord): void {
  writeFileSync(FILE, `${JSON.stringify({ ...readRecovery(), [host]: record }, null, 2)}\n`);
}

/** `2.9 s / 4.5 s`: p50 / p99, as the reliability table shows it. */
export function recoveryCell(record: RecoveryRecord | undefined): string {
  if (!record) return 'not measured';
  return `${(record.p50Ms / 1000).toFixed(1)} s / ${(record.p99Ms / 1000).toFixed(1)} s`;
}
