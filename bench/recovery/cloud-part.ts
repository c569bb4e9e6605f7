import { azurite } from '../../test/setup/azurite.js';
import { dynamodbLocal } from '../../test/setup/dynamodb-local.js';
import { awsRecovery, azureRecovery, type CloudRecoveryRow } from '../cloud-recovery/cloud-recovery.js';
import { recordRecovery } from './recovery-record.js';

/**
 * The cloud half of the recovery benchmark: a worker that dies mid-run on AWS (fauxqs + DynamoDB
 * Local) and on Azure (Azurite), default settings and real queue visibility, `runs` crashes per host
 * at once (bench/cloud-recovery/). Starts and stops its own emulators, keeps the figures (kill to the
 * surviving worker's next model response) in bench/recovery/figures.json for the reliability table.
 *
 * @example
 * const rows = await runCloudRecovery(8, console.error);
 */
export async function runCloudRecovery(
  runs: number,
  log: (line: string) => void = () => {},
): Promise<CloudRecoveryRow[]> {
  // The emulators' handles are unref'd: keep the process alive while the crashes play out.
  const hold = setInterval(() => {}, 1_000);
  const [dynamodb, queues] = await Promise.all([dynamodbLocal.start(), azurite.start()]);
  try {
    log(`bench: recovery after a worker dies on AWS and Azure, ${runs} crashes per host...`);
    const rows = await Promise.all([
      awsRecovery(dynamodb.provide.dynamodbEndpoint!, runs),
      azureRecovery(queues.provide.azuriteQueueConnection!, runs),
    ]);
    for (const row of rows) {
      recordRecovery(row.host, {
        measuredAt: new Date().toISOString(),
        runs: row.runs,
        p50Ms: Math.round(row.progressP50Ms),
        p99Ms: Math.round(row.progressP99Ms),
        source: `bench/cloud-recovery (${row.runs} worker crashes mid model call, default visibility)`,
      });
      log(`bench: recovery on ${row.host}: ${cloudCells(row).join(', ')}`);
    }
    return rows;
  } finally {
    await Promise.all([dynamodb.stop(), queues.stop()]);
    clearInterval(hold);
  }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function cloudCells(row: CloudRecoveryRow): string[] {
  return [
    seconds(row.backP50Ms),
    seconds(row.backP99Ms),
    seconds(row.progressP50Ms),
    seconds(row.progressP99Ms),
  ];
}

/** The markdown section `npm run bench` prints for the cloud hosts. */
export function cloudRecoveryReport(rows: readonly CloudRecoveryRow[]): string[] {
  return [
    '## Recovery after a worker dies (AWS and Azure hosts, default settings)',
    '',
    'A worker invocation takes the run message and dies in its model call (no disposition, no renewal);',
    'a surviving poller keeps receiving. Message back: kill to the message delivered again; progress:',
    "kill to the surviving worker's model response. Queues: fauxqs (SQS API), Azurite (Storage Queues).",
    '',
    '| host | crashes | message back p50 | message back p99 | progress p50 | progress p99 |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((row) => `| ${row.host} | ${row.runs} | ${cloudCells(row).join(' | ')} |`),
  ];
}
