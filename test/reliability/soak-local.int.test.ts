import { describe, expect, it } from 'vitest';
import { failureCounts, localSoakReport, runLocalSoak } from './soak-local/soak-local.js';

/**
 * `npm run soak`, shortened for CI: 45 s of seeded traffic against a real `baton serve` that
 * is SIGKILLed every 5-9 s (seeded) and restarted on the same SQLite file, its model failing one
 * request in ten. Asserts counts only (every input answered exactly once, no duplicate execution,
 * at least three kills), never a time: the recovery figures are printed.
 */
describe('local soak (shortened)', () => {
  it('answers every input exactly once across SIGKILLs of baton serve and model faults', async () => {
    const result = await runLocalSoak({
      seconds: 45,
      seed: 1515,
      killEverySeconds: [5, 9],
      faultRate: 0.1,
      sessions: 4,
      drainSeconds: 60,
      modelCallMs: 3_000,
    });
    console.log(`\n${localSoakReport(result).join('\n')}\n`);
    expect(result.kills).toBeGreaterThanOrEqual(3);
    expect(result.audit.inputs).toBeGreaterThan(0);
    expect(failureCounts(result)).toEqual({
      lost: 0,
      unanswered: 0,
      duplicates: 0,
      failedRuns: 0,
      refused: 0,
      notIdle: 0,
    });
    expect(result.audit.answered).toBe(result.audit.inputs);
    expect(result.audit.problems).toEqual([]);
  }, 170_000);
});
