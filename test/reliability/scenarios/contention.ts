import { readFileSync, writeFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { CommitRecord, ContentionChildConfig } from '../child/contention-child.js';
import { type ChildBundle, runChild } from '../support/child-process.js';
import { type ResultRow, resultsTable } from '../support/results-table.js';
import { openStore, type StoreKind } from '../support/store-spec.js';
import type { StoreTargets } from '../support/store-targets.js';
import { auditSession } from '../support/transcript.js';

const PROCESSES = 10;
const INPUTS_PER_PROCESS = 5;
const LEASE_MS = 300;

/** What the commit log of every process says about who wrote when. */
export function fencingViolations(records: readonly CommitRecord[]): string[] {
  const problems: string[] = [];
  const byVersion = new Map<number, CommitRecord[]>();
  for (const record of records)
    byVersion.set(record.version, [...(byVersion.get(record.version) ?? []), record]);
  const versions = [...byVersion.keys()].sort((a, b) => a - b);
  versions.forEach((version, index) => {
    if (version !== index + 1) problems.push(`head versions skip from ${versions[index - 1]} to ${version}`);
    if (byVersion.get(version)!.length > 1) problems.push(`two commits wrote head version ${version}`);
  });
  // A holder's commits (anything but one appended input) carry its lease epoch; one epoch, one writer.
  const holders = new Map<number, Set<string>>();
  for (const record of records) {
    const append = record.events.length === 1 && record.events[0]!.kind === 'input';
    if (append || record.leaseEpoch === 0) continue;
    const writer = record.leaseOwner ?? `${record.process} (release)`;
    const owners = holders.get(record.leaseEpoch) ?? new Set<string>();
    owners.add(record.leaseOwner ? writer : `${record.process}`);
    holders.set(record.leaseEpoch, owners);
  }
  for (const [epoch, owners] of holders) {
    const processes = new Set([...owners].map((owner) => owner.split('-')[0]));
    if (processes.size > 1) problems.push(`lease epoch ${epoch} has commits by ${[...owners].join(', ')}`);
  }
  return problems;
}

/**
 * 50 inputs to one session from 10 processes at once, with leases of 300 ms and model calls that
 * stall until another process takes the session over: every input is processed exactly once, the
 * log is one linear order, nothing is left unread, and no lease epoch has two writers.
 */
export async function contention(
  bundle: ChildBundle,
  targets: StoreTargets,
  kind: StoreKind,
): Promise<ResultRow> {
  const spec = targets.spec(kind, 'contention');
  const ref = { tenant: `contention-${targets.run}`, sessionId: `${kind}-shared` };
  const names = Array.from({ length: PROCESSES }, (_, index) => `p${index}`);
  const inputs = names.flatMap((name) =>
    Array.from({ length: INPUTS_PER_PROCESS }, (_, j) => `${name}-m${j}`),
  );
  const exits = await Promise.all(
    names.map((name) => {
      const config: ContentionChildConfig = {
        store: spec,
        ref,
        name,
        inputs: inputs.filter((text) => text.startsWith(`${name}-`)),
        leaseMs: LEASE_MS,
        commitLog: targets.file(`${kind}-contention-${name}.jsonl`),
        maxMs: 90_000,
      };
      return runChild(bundle, 'contention-child', config);
    }),
  );
  for (const exit of exits) expect(exit, exit.stderr).toMatchObject({ code: 0 });
  const stats = exits.map(
    (exit) => JSON.parse(exit.stdout.trim().split('\n').at(-1)!) as Record<string, number>,
  );
  const total = (key: string) => stats.reduce((sum, one) => sum + (one[key] ?? 0), 0);

  const records = names.flatMap((name) =>
    readFileSync(targets.file(`${kind}-contention-${name}.jsonl`), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as CommitRecord),
  );
  const store = await openStore(spec, { clock: { now: () => Date.now() } });
  try {
    const head = await store.readHead(ref);
    const events = await store.readEvents(ref);
    const audit = auditSession(head, events, { inputs });
    const processed = (head?.toolState.processed ?? []) as string[];
    const problems = [...audit.problems, ...fencingViolations(records)];
    const missing = inputs.filter((text) => !processed.includes(text));
    const twice = processed.filter((text, index) => processed.indexOf(text) !== index);
    if (missing.length > 0) problems.push(`never processed: ${missing.join(', ')}`);
    if (twice.length > 0) problems.push(`processed twice: ${twice.join(', ')}`);
    const row: ResultRow = {
      store: kind,
      scenario: 'contention (10 processes, 50 inputs)',
      runs: total('runs'),
      cases: inputs.length,
      faults: total('takeovers'),
      lost: audit.lost + missing.length,
      duplicates: audit.duplicates + twice.length,
      corrupted: problems.length > 0 ? 1 : 0,
      note: `${total('takeovers')} takeovers mid-call, ${total('fenced')} fenced runs, ${total('busy')} busy answers, ${records.length} commits`,
    };
    // RELIABILITY_DUMP=/some/prefix keeps the log and every process's commits of a failed run.
    if (problems.length > 0 && process.env.RELIABILITY_DUMP) {
      const file = `${process.env.RELIABILITY_DUMP}-contention-${kind}-${Date.now()}.json`;
      writeFileSync(file, JSON.stringify({ head, events, records }, null, 1));
    }
    resultsTable.add(row);
    expect(problems).toEqual([]);
    expect(processed.sort()).toEqual([...inputs].sort());
    // The scenario proves nothing unless leases really were taken over mid-run.
    expect(total('takeovers')).toBeGreaterThan(0);
    expect(total('fenced')).toBeGreaterThan(0);
    return row;
  } finally {
    await store.close?.();
  }
}
