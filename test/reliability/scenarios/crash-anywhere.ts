import { existsSync, readFileSync } from 'node:fs';
import type { SessionRef } from '@baton/core';
import { expect } from 'vitest';
import { readRecovery, recoveryCell } from '../../../bench/recovery/recovery-record.js';
import { AT_MOST_ONCE_TOOLS } from '../agent/reliability-tools.js';
import { type ChildBundle, mapLimit, runChild } from '../support/child-process.js';
import { allCrashPoints, crashExpectation, sampledCrashPoints } from '../support/crash-expectations.js';
import { type CrashChildConfig, type CrashPlan, describePlan, type RunTrace } from '../support/crash-plan.js';
import { type ResultRow, resultsTable } from '../support/results-table.js';
import { openStore, type StoreKind } from '../support/store-spec.js';
import type { StoreTargets } from '../support/store-targets.js';
import { auditSession, transcript, withUnknownOutcomes } from '../support/transcript.js';

/** The host whose recovery the benchmark measures on each store. */
const HOST_OF_STORE: Record<StoreKind, string> = { sqlite: 'local', dynamodb: 'aws', cosmos: 'azure' };

/** Resuming children run ten minutes "later": every lease a killed child held has expired. */
const RESUME_OFFSET_MS = 10 * 60_000;

export interface CrashOptions {
  /** Every crash point (SQLite), or a sample that covers every commit shape and tool kind. */
  coverage: 'all' | 'sample';
  /** Crash children running at once. */
  concurrency: number;
}

function executions(log: string): Map<string, number> {
  const counts = new Map<string, number>();
  if (!existsSync(log)) return counts;
  for (const line of readFileSync(log, 'utf8').split('\n')) {
    const callId = line.split(' ')[0];
    if (callId) counts.set(callId, (counts.get(callId) ?? 0) + 1);
  }
  return counts;
}

/**
 * Kills the scripted 20-step run at every commit boundary (before and after each commit) and inside
 * every tool call, each in a child process of its own with SIGKILL; then fresh children resume
 * every killed session. Every resumed session must end with the uncrashed run's transcript and
 * tool state, except exactly the at-most-once calls the crash interrupted, which read as unknown
 * outcomes; and every tool must have run exactly as often as the trace predicts.
 */
export async function crashAnywhere(
  bundle: ChildBundle,
  targets: StoreTargets,
  kind: StoreKind,
  options: CrashOptions,
): Promise<ResultRow> {
  const spec = targets.spec(kind, 'crash');
  const tenant = `crash-${targets.run}`;
  const child = (config: Omit<CrashChildConfig, 'store'>) =>
    runChild(bundle, 'crash-child', { store: spec, ...config });

  const reference: SessionRef = { tenant, sessionId: `${kind}-reference` };
  const traceFile = targets.file(`${kind}-reference-trace.json`);
  const referenceLog = targets.file(`${kind}-reference.log`);
  const uncrashed = await child({
    clockOffsetMs: 0,
    plan: { kind: 'none' },
    sessions: [{ ref: reference, executionLog: referenceLog }],
    traceFile,
  });
  expect(uncrashed, uncrashed.stderr).toMatchObject({ code: 0 });
  const trace = JSON.parse(readFileSync(traceFile, 'utf8')) as RunTrace;
  expect(trace.commits).toHaveLength(trace.commitCalls);

  const plans = options.coverage === 'all' ? allCrashPoints(trace) : sampledCrashPoints(trace);
  // A SQLite file per crash: processes sharing one file would mostly wait for its write lock.
  const sessions = plans.map((plan, index) => ({
    plan,
    ref: { tenant, sessionId: `${kind}-crash-${index}` },
    executionLog: targets.file(`${kind}-crash-${index}.log`),
    store: kind === 'sqlite' ? targets.spec(kind, `crash-${index}`) : spec,
  }));
  const phase = Date.now();
  const crashed = await mapLimit(sessions, options.concurrency, ({ plan, ref, executionLog, store }) =>
    child({ clockOffsetMs: 0, plan, sessions: [{ ref, executionLog, store }] }),
  );
  crashed.forEach((exit, index) => {
    expect(exit.signal, `${describePlan(sessions[index]!.plan)}: ${exit.stderr}`).toBe('SIGKILL');
  });

  const crashMs = Date.now() - phase;
  // Fresh processes finish every killed run; four of them share the sessions.
  const groups = [0, 1, 2, 3].map((group) => sessions.filter((_, index) => index % 4 === group));
  const resumed = await mapLimit(groups, 2, (group) =>
    child({
      clockOffsetMs: RESUME_OFFSET_MS,
      plan: { kind: 'none' },
      sessions: group.map(({ ref, executionLog, store }) => ({ ref, executionLog, store })),
    }),
  );
  for (const exit of resumed) expect(exit, exit.stderr).toMatchObject({ code: 0 });
  const resumeMs = Date.now() - phase - crashMs;

  const clock = { now: () => Date.now() + RESUME_OFFSET_MS };
  const store = await openStore(spec, { clock });
  const row: ResultRow = {
    store: kind,
    scenario: 'crash anywhere (SIGKILL)',
    runs: sessions.length + 1,
    cases: plans.length,
    faults: crashed.length,
    lost: 0,
    duplicates: 0,
    corrupted: 0,
    // Printed from the benchmark's last run (npm run bench:recovery), never timed here.
    recovery: recoveryCell(readRecovery()[HOST_OF_STORE[kind]]),
    note: `${options.coverage === 'all' ? 'all' : 'a sample of'} ${plans.length} crash points (${trace.commitCalls} commits, ${trace.tools.length} tool calls); kill ${(crashMs / 1000).toFixed(1)} s, resume ${(resumeMs / 1000).toFixed(1)} s`,
  };
  const failures: string[] = [];
  try {
    const expected = transcript(await store.readEvents(reference));
    const expectedState = (await store.readHead(reference))?.toolState;
    expect(auditSession(await store.readHead(reference), await store.readEvents(reference)).problems).toEqual(
      [],
    );
    for (const { plan, ref, executionLog, store: own } of sessions) {
      const sessionStore = own === spec ? store : await openStore(own, { clock });
      const head = await sessionStore.readHead(ref);
      const events = await sessionStore.readEvents(ref);
      if (sessionStore !== store) await sessionStore.close?.();
      const ran = executions(executionLog);
      const audit = auditSession(head, events, { executions: ran, atMostOnce: AT_MOST_ONCE_TOOLS });
      const want = crashExpectation(trace, plan, AT_MOST_ONCE_TOOLS);
      const problems = [...audit.problems];
      if (
        JSON.stringify(transcript(events)) !== JSON.stringify(withUnknownOutcomes(expected, want.unknown))
      ) {
        problems.push(
          `transcript differs from the uncrashed one beyond the unknown outcomes ${[...want.unknown].join(', ') || '(none)'}`,
        );
      }
      if (JSON.stringify(head?.toolState) !== JSON.stringify(expectedState))
        problems.push('tool state differs');
      if (JSON.stringify(Object.fromEntries(ran)) !== JSON.stringify(Object.fromEntries(want.executions))) {
        problems.push(
          `executions ${JSON.stringify(Object.fromEntries(ran))}, expected ${JSON.stringify(Object.fromEntries(want.executions))}`,
        );
      }
      row.lost += audit.lost;
      row.duplicates += audit.duplicates;
      if (problems.length > 0) {
        row.corrupted++;
        failures.push(`${describePlan(plan)}: ${problems.join('; ')}`);
      }
    }
  } finally {
    await store.close?.();
  }
  // Every crash point that went wrong, at once: one bug usually shows at several of them.
  resultsTable.add(row);
  expect(failures).toEqual([]);
  return row;
}

export type { CrashPlan };
