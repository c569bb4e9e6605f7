/**
 * `npx tsx --conditions=@baton/source bench/cloud-recovery/run-cloud-recovery.ts`: recovery after a
 * worker dies mid-run on AWS (fauxqs + DynamoDB Local) and Azure (Azurite), default settings, real
 * queue visibility, so it takes a couple of minutes. BENCH_RECOVERY_RUNS crash points per host
 * (default 8), all crashed at once. Prints a markdown table.
 */
import { azurite } from '../../test/setup/azurite.js';
import { dynamodbLocal } from '../../test/setup/dynamodb-local.js';
import { awsRecovery, azureRecovery, type CloudRecoveryRow } from './cloud-recovery.js';

const runs = Number(process.env.BENCH_RECOVERY_RUNS ?? 8);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function cloudRecoveryTable(rows: readonly CloudRecoveryRow[]): string {
  return [
    '| host | crash points | message back p50 | message back p99 | progress p50 | progress p99 |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (row) =>
        `| ${row.host} | ${row.runs} | ${seconds(row.backP50Ms)} | ${seconds(row.backP99Ms)} | ${seconds(row.progressP50Ms)} | ${seconds(row.progressP99Ms)} |`,
    ),
  ].join('\n');
}

const hold = setInterval(() => {}, 1_000);
const dynamodb = await dynamodbLocal.start();
const queues = await azurite.start();
try {
  process.stderr.write(`cloud recovery: ${runs} crash points per host...\n`);
  const rows = await Promise.all([
    awsRecovery(dynamodb.provide.dynamodbEndpoint!, runs),
    azureRecovery(queues.provide.azuriteQueueConnection!, runs),
  ]);
  process.stdout.write(`${cloudRecoveryTable(rows)}\n`);
} finally {
  await Promise.all([dynamodb.stop(), queues.stop()]);
  clearInterval(hold);
}
