import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createTable, DynamoStore } from '@baton/store-dynamodb';
import { dynamodbLocal } from '../../setup/dynamodb-local.js';
import { ExecutionCounter } from '../agent/reliability-agent.js';
import { referenceRun } from '../support/reference-run.js';
import { ResultsTable } from '../support/results-table.js';
import { dynamoConfig } from '../support/store-spec.js';
import { auditSoak } from './soak-audit.js';
import { type SoakHost, startHost, work } from './soak-hosts.js';
import { StepMetrics } from './soak-metrics.js';
import { SoakQueue } from './soak-queue.js';
import { approver, backlogTraffic, chatTraffic, contentionTraffic, TrafficLog } from './soak-traffic.js';

/**
 * `npm run soak:dynamodb`: mixed traffic against DynamoDB Local for SOAK_SECONDS (default 600): HTTP
 * conversations with duplicate deliveries, queue-driven 20-step runs with approvals, contention on
 * shared sessions, from three hosts with their own clients, with store faults injected at
 * SOAK_FAULT_RATE (default 0.02). Then it drains the queue, audits every session and prints
 * throughput, step latency excluding the model, and the lost/duplicate/corrupted cells, which must
 * all be 0 (the exit code says whether they are). DYNAMODB_ENDPOINT uses a running emulator.
 */
const seconds = Number(process.env.SOAK_SECONDS ?? 600);
const faultRate = Number(process.env.SOAK_FAULT_RATE ?? 0.02);
const HOSTS = 3;
const WORKERS_PER_HOST = 4;
const LEASE_MS = 5_000;
const DRAIN_LIMIT_MS = 120_000;

const emulator = process.env.DYNAMODB_ENDPOINT ? undefined : await dynamodbLocal.start();
const endpoint = process.env.DYNAMODB_ENDPOINT ?? emulator!.provide.dynamodbEndpoint!;
const admin = new DynamoDBClient(dynamoConfig(endpoint));
const tableName = `baton-soak-${randomUUID().slice(0, 8)}`;
await createTable(admin, tableName, { timeToLive: false });

const queue = new SoakQueue();
const counter = new ExecutionCounter();
const metrics = new StepMetrics();
const log = new TrafficLog(`soak-${randomUUID().slice(0, 8)}`);
const hosts: SoakHost[] = Array.from({ length: HOSTS }, (_, index) =>
  startHost({
    name: `host-${index}`,
    endpoint,
    tableName,
    queue,
    counter,
    metrics,
    faultRate,
    seed: index + 1,
    leaseMs: LEASE_MS,
  }),
);

console.log(
  `Baton soak: ${seconds} s of mixed traffic on DynamoDB Local (${HOSTS} hosts x ${WORKERS_PER_HOST} workers, store faults ${faultRate * 100}%)`,
);
const started = performance.now();
const trafficEnds = Date.now() + seconds * 1_000;
let draining = false;
let stopped = false;
const sending = () => Date.now() < trafficEnds;
const workers = hosts.flatMap((host) =>
  Array.from({ length: WORKERS_PER_HOST }, () => work(host, queue, () => !stopped)),
);
const people = approver(hosts, log, () => !stopped);
const progress = setInterval(() => {
  const elapsed = (performance.now() - started) / 1_000;
  console.log(
    `  ${elapsed.toFixed(0)} s: ${log.sessions.size} sessions, ${metrics.latencies.length} steps, queue ${queue.depth}${draining ? ' (draining)' : ''}`,
  );
}, 30_000);

await Promise.all([
  chatTraffic(hosts, log, sending, 'a'),
  chatTraffic(hosts, log, sending, 'b'),
  backlogTraffic(hosts, log, sending),
  contentionTraffic(hosts, log, sending),
]);
const trafficSeconds = (performance.now() - started) / 1_000;

// Drain: every queued run done, nothing left running or waiting for an approval already given.
draining = true;
const drainUntil = Date.now() + DRAIN_LIMIT_MS;
const reader = new DynamoStore({ client: new DynamoDBClient(dynamoConfig(endpoint)), tableName });
for (;;) {
  const running = await reader.list({ tenant: log.tenant, status: 'running', limit: 1 });
  const waiting = await reader.list({ tenant: log.tenant, status: 'waiting_approval', limit: 1 });
  if (queue.depth === 0 && running.sessions.length === 0 && waiting.sessions.length === 0) break;
  if (Date.now() > drainUntil) {
    console.log(`drain did not finish in ${DRAIN_LIMIT_MS / 1_000} s: queue ${queue.depth}`);
    break;
  }
  await new Promise((resolve) => setTimeout(resolve, 250));
}
stopped = true;
clearInterval(progress);
await Promise.all([...workers, people]);
const totalSeconds = (performance.now() - started) / 1_000;
for (const host of hosts) host.plan.disable();

const audit = await auditSoak(reader, log, counter, await referenceRun());
const faults = hosts.reduce((sum, host) => sum + host.plan.injected.length, 0);
const handled = hosts.reduce((sum, host) => sum + host.stats.handled, 0);
const retried = hosts.reduce((sum, host) => sum + host.stats.retried, 0);
const inputs = [...log.sessions.values()].reduce((sum, session) => sum + new Set(session.inputs).size, 0);
const steps = metrics.latencies.length;

const table = new ResultsTable();
table.add({
  store: 'dynamodb',
  scenario: `soak (${seconds} s mixed traffic)`,
  runs: handled,
  cases: new Set(
    hosts.flatMap((host) => host.plan.injected.map((f) => `${f.operation} ${f.kind} ${f.timing}`)),
  ).size,
  faults,
  lost: audit.lost + queue.deadLetters.length,
  duplicates: audit.duplicates,
  corrupted: audit.corrupted,
  note: `${audit.sessions} sessions, ${inputs} inputs, ${audit.unknownOutcomes} unknown outcomes`,
});
console.log(`
traffic ${trafficSeconds.toFixed(0)} s, drained after ${totalSeconds.toFixed(0)} s
sessions ${audit.sessions}: ${[...log.sessions.values()].filter((s) => s.kind === 'chat').length} chat, ${[...log.sessions.values()].filter((s) => s.kind === 'backlog').length} backlog (20 steps), ${[...log.sessions.values()].filter((s) => s.kind === 'contention').length} contention
inputs ${inputs} (HTTP deliveries ${log.deliveries}, ${log.duplicateDeliveries} of them duplicates; answers ${JSON.stringify(log.answers)})
run messages handled ${handled} (${queue.enqueued} enqueued, ${retried} retried after errors, ${queue.deadLetters.length} dead-lettered)
store faults injected ${faults}: ${JSON.stringify(mergeSummaries(hosts))}
throughput: ${(steps / totalSeconds).toFixed(1)} steps/s, ${(inputs / totalSeconds).toFixed(1)} inputs/s, ${(metrics.commits / totalSeconds).toFixed(1)} commits/s
step latency excluding the model (n = ${steps}): p50 ${metrics.percentile(50).toFixed(1)} ms, p99 ${metrics.percentile(99).toFixed(1)} ms
errors seen by workers: ${JSON.stringify(mergeErrors(hosts))}

${table.render()}
`);
for (const problem of audit.problems.slice(0, 20)) console.log(`  problem: ${problem}`);
const zero = audit.lost + queue.deadLetters.length + audit.duplicates + audit.corrupted === 0;
console.log(
  zero
    ? 'zero cells: lost 0, duplicate 0, corrupted 0'
    : 'FAILED: a lost, duplicate or corrupted cell is not 0',
);

await admin.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
admin.destroy();
await reader.close();
for (const host of hosts) host.client.destroy();
await emulator?.stop();
process.exit(zero ? 0 : 1);

function mergeSummaries(all: SoakHost[]): Record<string, number> {
  const merged: Record<string, number> = {};
  for (const host of all)
    for (const [key, count] of Object.entries(host.plan.summary())) merged[key] = (merged[key] ?? 0) + count;
  return merged;
}

function mergeErrors(all: SoakHost[]): Record<string, number> {
  const merged: Record<string, number> = {};
  for (const host of all)
    for (const [key, count] of Object.entries(host.stats.errors)) merged[key] = (merged[key] ?? 0) + count;
  return merged;
}
