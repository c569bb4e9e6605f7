import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DEFAULT_QUEUE_NAME, hostSettings, storageConnectionSetting } from '@baton/azure';
import { containerDefinition } from '@baton/store-cosmos';
import { DEFAULT_OUTDIR, REPO_ROOT } from '../../packages/azure/src/build/bundle.js';
import { readsFrom } from './environment-reads.js';
import { callsOf, type Recording, referencePath, resourcesOf, text } from './recording.js';

/** What the Azure code says, read from the packages; a test may hand the check a doctored copy. */
export interface AzureFacts {
  /** The folder `npm run build:azure` writes, relative to the repository. */
  packageDir: string;
  entry: string;
  container: { partitionKey: unknown; defaultTtl: number; indexingPolicy: unknown };
  defaultQueueName: string;
  /** host.json's functionTimeout, in ms, as the handlers compute their deadlines from it. */
  functionTimeoutMs: number;
  reads: Set<string>;
  consumers: Set<string>;
}

const ENTRY = 'packages/azure/src/entry/app.ts';

/** The Consumption plan stops a function after 10 minutes whatever host.json says. */
const CONSUMPTION_MAX_TIMEOUT_MS = 10 * 60_000;

export async function azureFacts(): Promise<AzureFacts> {
  const hostJson: unknown = JSON.parse(readFileSync(join(REPO_ROOT, 'packages/azure/host.json'), 'utf8'));
  const reads = await readsFrom([join(REPO_ROOT, ENTRY)]);
  const consumers = await readsFrom([
    join(REPO_ROOT, ENTRY),
    ...['slack', 'model-openai', 'model-bedrock'].map((name) =>
      join(REPO_ROOT, 'packages', name, 'src/index.ts'),
    ),
  ]);
  return {
    packageDir: relative(REPO_ROOT, DEFAULT_OUTDIR),
    entry: ENTRY,
    container: containerDefinition,
    defaultQueueName: DEFAULT_QUEUE_NAME,
    functionTimeoutMs: hostSettings(hostJson, {}).functionTimeoutMs,
    reads: new Set(reads.variables.keys()),
    consumers: new Set(consumers.variables.keys()),
  };
}

/**
 * Every way the recorded Azure infrastructure disagrees with the code, as readable sentences;
 * empty when they agree. `leftUnset` and `hostSettings` come from infra/settings.ts.
 */
export function azureMismatches(
  recording: Recording,
  facts: AzureFacts,
  leftUnset: Readonly<Record<string, string>>,
  hostOnly: Readonly<Record<string, string>>,
): string[] {
  const problems: string[] = [];
  const apps = resourcesOf(recording, 'azurenative.web.WebApp');
  if (apps.length !== 1) return [`expected one Function App, found ${apps.length}`];
  const app = apps[0]!;
  const siteConfig = (app.args.siteConfig ?? {}) as {
    linuxFxVersion?: string;
    appSettings?: { name: string; value: unknown }[];
  };
  const settings = new Map((siteConfig.appSettings ?? []).map((setting) => [setting.name, setting.value]));
  const plain = (name: string) => {
    const value = settings.get(name);
    return value === undefined || referencePath(value) !== undefined ? undefined : String(value);
  };

  if (!String(app.args.kind).includes('functionapp') || !String(app.args.kind).includes('linux')) {
    problems.push(`the app's kind ${app.args.kind} is not a Linux function app`);
  }
  const node = siteConfig.linuxFxVersion?.match(/^Node\|(\d+)$/i);
  // The bundle targets node20 (packages/azure build); older runtimes would not parse it.
  if (!node || Number(node[1]) < 20)
    problems.push(`the runtime ${siteConfig.linuxFxVersion} is not Node 20 or later`);
  if (plain('FUNCTIONS_EXTENSION_VERSION') !== '~4') {
    problems.push(
      'FUNCTIONS_EXTENSION_VERSION is not ~4, the runtime of the v4 programming model and host.json',
    );
  }
  if (plain('FUNCTIONS_WORKER_RUNTIME') !== 'node') problems.push('FUNCTIONS_WORKER_RUNTIME is not node');

  problems.push(...packageMismatches(recording, facts, text(settings.get('WEBSITE_RUN_FROM_PACKAGE') ?? '')));
  problems.push(...cosmosMismatches(recording, facts, settings));

  const queueName = plain('BATON_QUEUE_NAME') ?? facts.defaultQueueName;
  const queues = resourcesOf(recording, 'azurenative.storage.Queue').map((queue) => queue.args.queueName);
  if (!queues.includes(queueName)) problems.push(`the app reads queue ${queueName}, which is not declared`);
  if (!queues.includes(`${queueName}-poison`))
    problems.push(`the poison queue ${queueName}-poison is not declared`);
  const connection = storageConnectionSetting(
    Object.fromEntries([...settings.keys()].map((name) => [name, 'set'])),
  );
  if (!settings.has(connection)) problems.push(`the queue triggers' connection ${connection} is not set`);

  const plans = resourcesOf(recording, 'azurenative.web.AppServicePlan');
  const sku = (plans[0]?.args.sku as { name?: string } | undefined)?.name;
  if (plans.length !== 1 || plans[0]?.args.reserved !== true)
    problems.push('expected one Linux (reserved) plan');
  if (sku === 'Y1' && facts.functionTimeoutMs > CONSUMPTION_MAX_TIMEOUT_MS) {
    problems.push(
      `host.json's functionTimeout (${facts.functionTimeoutMs} ms) exceeds the Consumption plan's 10 minutes`,
    );
  }

  for (const name of facts.reads) {
    if (!settings.has(name) && !(name in leftUnset)) {
      problems.push(`the app reads ${name}, which is neither set nor left unset on purpose`);
    }
  }
  for (const name of settings.keys()) {
    if (!facts.consumers.has(name) && !(name in hostOnly)) problems.push(`sets ${name}, which nothing reads`);
  }
  for (const name of Object.keys(leftUnset)) {
    if (!facts.consumers.has(name)) problems.push(`left unset on purpose: ${name}, which no code reads`);
  }
  for (const secret of resourcesOf(recording, 'sst.Secret')) {
    if (![...settings.values()].some((value) => referencePath(value) === `${secret.name}.value`)) {
      problems.push(`secret ${secret.name} reaches no app setting`);
    }
  }
  return problems;
}

function packageMismatches(recording: Recording, facts: AzureFacts, packageUrl: string): string[] {
  if (!existsSync(join(REPO_ROOT, facts.entry))) return [`the app entry ${facts.entry} does not exist`];
  const blob = resourcesOf(recording, 'azurenative.storage.Blob').find((b) =>
    packageUrl.includes(`\${${b.name}.name}`),
  );
  if (!blob) return ['WEBSITE_RUN_FROM_PACKAGE does not point at a declared blob'];
  const archive = resourcesOf(recording, '$util.asset.FileArchive').find(
    (a) => referencePath(blob.args.source) === a.name,
  );
  if (archive?.name !== facts.packageDir) {
    return [
      `the package blob holds ${archive?.name ?? 'nothing'}, not ${facts.packageDir} (what npm run build:azure writes)`,
    ];
  }
  return [];
}

function cosmosMismatches(recording: Recording, facts: AzureFacts, settings: Map<string, unknown>): string[] {
  const problems: string[] = [];
  const accounts = resourcesOf(recording, 'azurenative.cosmosdb.DatabaseAccount');
  if (accounts.length !== 1) return [`expected one Cosmos DB account, found ${accounts.length}`];
  const account = accounts[0]!;
  const capabilities = (account.args.capabilities as { name: string }[] | undefined) ?? [];
  if (!capabilities.some((c) => c.name === 'EnableServerless'))
    problems.push('the Cosmos DB account is not serverless');
  if (referencePath(settings.get('COSMOS_ENDPOINT')) !== `${account.name}.documentEndpoint`) {
    problems.push("COSMOS_ENDPOINT is not the account's endpoint");
  }
  const keys = callsOf(recording, /^azurenative\.cosmosdb\.listDatabaseAccountKeys/);
  if (!referencePath(settings.get('COSMOS_KEY'))?.startsWith(keys[0]?.target ?? '-')) {
    problems.push("COSMOS_KEY is not one of the account's keys");
  }
  const database = resourcesOf(recording, 'azurenative.cosmosdb.SqlResourceSqlDatabase')[0];
  const wantedDatabase = settings.get('BATON_COSMOS_DATABASE');
  if (
    !database ||
    database.args.databaseName !== wantedDatabase ||
    (database.args.resource as { id?: string })?.id !== wantedDatabase
  ) {
    problems.push(`no database ${String(wantedDatabase)} (BATON_COSMOS_DATABASE) is declared`);
  }
  const container = resourcesOf(recording, 'azurenative.cosmosdb.SqlResourceSqlContainer')[0];
  const wantedContainer = settings.get('BATON_COSMOS_CONTAINER');
  const resource = (container?.args.resource ?? {}) as Record<string, unknown>;
  if (!container || container.args.containerName !== wantedContainer || resource.id !== wantedContainer) {
    problems.push(`no container ${String(wantedContainer)} (BATON_COSMOS_CONTAINER) is declared`);
    return problems;
  }
  if (database && referencePath(container.args.databaseName) !== `${database.name}.name`) {
    problems.push('the container is not in the declared database');
  }
  for (const field of ['partitionKey', 'defaultTtl', 'indexingPolicy'] as const) {
    if (canonical(resource[field]) !== canonical(facts.container[field])) {
      problems.push(
        `container ${field} ${JSON.stringify(resource[field])} differs from the store's ${JSON.stringify(facts.container[field])}`,
      );
    }
  }
  return problems;
}

/** JSON with object keys sorted, so key order never counts as a difference. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => a.localeCompare(b)))
      : inner,
  );
}
