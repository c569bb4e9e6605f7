import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DEFAULT_QUEUE_NAME, storageConnectionSetting } from '@baton/azure';
import { MAIN } from '@baton/azure/build';
import { PROVIDER_PACKAGES } from '@baton/core';
import { containerDefinition } from '@baton/store-cosmos';
import { builtBundle } from './built-bundle.js';
import { bundledSources, packageSources, readsOf } from './environment-reads.js';
import { REPO_ROOT } from './infra-copy.js';
import { callsOf, type Recording, referencePath, resourcesOf, text } from './recording.js';

/** What the Azure code says, read from the packages; a test may hand the check a doctored copy. */
export interface AzureFacts {
  /** The app folder the recording was given (what `npx baton build azure` writes). */
  appDir: string;
  /** The entry of this repository's real app folder (`baton build azure`): `<dir>/app.mjs`. */
  entry: string;
  container: { partitionKey: unknown; defaultTtl: number; indexingPolicy: unknown };
  defaultQueueName: string;
  /** The functions the app registers on storage queues, by queue: the poison one raises the alert. */
  queueFunctions: Map<string, string>;
  /** Variables the bundled code reads, and any model provider it may bundle. */
  reads: Set<string>;
  consumers: Set<string>;
}

/** Cosmos DB's data-plane Built-in Data Contributor, and the storage roles the host needs. */
const COSMOS_DATA_CONTRIBUTOR = '00000000-0000-0000-0000-000000000002';
const STORAGE_ROLES = {
  'Storage Blob Data Owner': 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
  'Storage Queue Data Contributor': '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
};

/**
 * The facts from the app folder `baton build azure` writes for this repository's baton.config.ts
 * (the sources its source map names), plus every model provider package, any of which a
 * deployment bundles when its environment names that provider's model.
 */
export async function azureFacts(appDir: string): Promise<AzureFacts> {
  const entry = join(await builtBundle('azure'), MAIN);
  const sources = bundledSources(entry);
  const providers = await packageSources([...new Set(Object.values(PROVIDER_PACKAGES))], REPO_ROOT);
  const reads = readsOf(sources, providers);
  const queueFunctions = new Map<string, string>();
  for (const file of sources) {
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/\.storageQueue\('([^']+)',\s*\{\s*queueName:\s*([^,]+),/g)) {
      const queue = match[2]!.includes('-poison') ? `${DEFAULT_QUEUE_NAME}-poison` : DEFAULT_QUEUE_NAME;
      queueFunctions.set(queue, match[1]!);
    }
  }
  return {
    appDir,
    entry,
    container: containerDefinition,
    defaultQueueName: DEFAULT_QUEUE_NAME,
    queueFunctions,
    reads: new Set(reads.variables.keys()),
    consumers: new Set(reads.variables.keys()),
  };
}

export interface AzureSettingsLists {
  leftUnset: Readonly<Record<string, string>>;
  hostOnly: Readonly<Record<string, string>>;
  forbidden: readonly string[];
}

/** The app settings the recorded Function App gets, by name, as text (references as `${path}`). */
export function appSettingsOf(recording: Recording): Map<string, string> | undefined {
  const app = resourcesOf(recording, 'azurenative.web.WebApp')[0];
  const settings = (app?.args.siteConfig as { appSettings?: { name: string; value: unknown }[] } | undefined)
    ?.appSettings;
  return settings && new Map(settings.map((setting) => [setting.name, text(setting.value)]));
}

/**
 * Every way the recorded Azure infrastructure disagrees with the code and with Flex Consumption,
 * as readable sentences; empty when they agree.
 */
export function azureMismatches(
  recording: Recording,
  facts: AzureFacts,
  lists: AzureSettingsLists,
): string[] {
  const problems: string[] = [];
  const apps = resourcesOf(recording, 'azurenative.web.WebApp');
  if (apps.length !== 1) return [`expected one Function App, found ${apps.length}`];
  const app = apps[0]!;
  const settings = appSettingsOf(recording) ?? new Map<string, string>();

  problems.push(...flexMismatches(recording, app.name, app.args, settings, lists.forbidden));
  problems.push(...packageMismatches(recording, facts, app.name));
  problems.push(...identityMismatches(recording, app.name, settings));
  problems.push(...cosmosMismatches(recording, facts, settings));
  problems.push(...monitoringMismatches(recording, facts, app.name, settings));

  const queueName = settings.get('BATON_QUEUE_NAME') ?? facts.defaultQueueName;
  const queues = resourcesOf(recording, 'azurenative.storage.Queue').map((queue) => queue.args.queueName);
  if (!queues.includes(queueName)) problems.push(`the app reads queue ${queueName}, which is not declared`);
  if (!queues.includes(`${queueName}-poison`))
    problems.push(`the poison queue ${queueName}-poison is not declared`);
  const connection = storageConnectionSetting(
    Object.fromEntries([...settings.keys()].map((name) => [name, 'set'])),
  );
  if (!settings.has(connection) && !settings.has(`${connection}__accountName`))
    problems.push(`the queue triggers' connection ${connection} is not set`);

  for (const name of facts.reads) {
    if (!settings.has(name) && !(name in lists.leftUnset))
      problems.push(`the app reads ${name}, which is neither set nor left unset on purpose`);
  }
  for (const name of settings.keys()) {
    if (!facts.consumers.has(name) && !(name in lists.hostOnly))
      problems.push(`sets ${name}, which nothing reads`);
  }
  for (const name of Object.keys(lists.leftUnset)) {
    if (!facts.consumers.has(name)) problems.push(`left unset on purpose: ${name}, which no code reads`);
  }
  for (const secret of resourcesOf(recording, 'sst.Secret')) {
    if (![...settings.values()].includes(`\${${secret.name}.value}`))
      problems.push(`secret ${secret.name} reaches no app setting`);
  }
  return problems;
}

function flexMismatches(
  recording: Recording,
  appName: string,
  args: Record<string, unknown>,
  settings: Map<string, string>,
  forbidden: readonly string[],
): string[] {
  const problems: string[] = [];
  const plans = resourcesOf(recording, 'azurenative.web.AppServicePlan');
  const sku = plans[0]?.args.sku as { name?: string; tier?: string } | undefined;
  if (
    plans.length !== 1 ||
    sku?.name !== 'FC1' ||
    sku?.tier !== 'FlexConsumption' ||
    plans[0]?.args.reserved !== true
  )
    problems.push(`the plan is ${sku?.name ?? 'missing'}, not Flex Consumption (FC1, Linux)`);
  if (!String(args.kind).includes('functionapp') || !String(args.kind).includes('linux'))
    problems.push(`the app's kind ${args.kind} is not a Linux function app`);
  const config = (args.functionAppConfig ?? {}) as {
    runtime?: { name?: string; version?: string };
    deployment?: { storage?: { type?: string; value?: unknown; authentication?: { type?: string } } };
  };
  if (config.runtime?.name !== 'node' || !(Number(config.runtime?.version) >= 22))
    problems.push(`the runtime ${config.runtime?.name} ${config.runtime?.version} is not Node 22 or later`);
  const storage = config.deployment?.storage;
  const containers = resourcesOf(recording, 'azurenative.storage.BlobContainer').map((c) => c.name);
  if (
    storage?.type !== 'blobContainer' ||
    !containers.some((name) => text(storage.value).includes(`\${${name}.name}`))
  )
    problems.push('the app deploys from no declared blob container');
  if (storage?.authentication?.type !== 'SystemAssignedIdentity')
    problems.push(
      `the deployment container is read with ${storage?.authentication?.type ?? 'nothing'}, not the app's identity`,
    );
  for (const name of forbidden) {
    if (settings.has(name)) problems.push(`sets ${name}, which Flex Consumption refuses`);
  }
  if ((args.identity as { type?: string } | undefined)?.type !== 'SystemAssigned')
    problems.push(`the app ${appName} has no system-assigned identity`);
  return problems;
}

/**
 * The package reaches the app through OneDeploy, which restarts the host and syncs its triggers;
 * the deployment's inputs change on every deploy (the link's expiry), so every deploy syncs them.
 */
function packageMismatches(recording: Recording, facts: AzureFacts, appName: string): string[] {
  if (!existsSync(facts.entry))
    return [`the built app entry ${relative(REPO_ROOT, facts.entry)} does not exist`];
  const deployments = resourcesOf(recording, 'azurenative.resources.Deployment').filter((d) => {
    const template = (d.args.properties as { template?: { resources?: { type?: string; name?: string }[] } })
      ?.template;
    return template?.resources?.some(
      (r) => r.type === 'Microsoft.Web/sites/extensions' && String(r.name).includes('/onedeploy'),
    );
  });
  if (deployments.length !== 1)
    return ['no OneDeploy deployment ships the package (triggers would not be synced)'];
  const deployment = deployments[0]!;
  const parameters =
    (deployment.args.properties as { parameters?: Record<string, { value?: unknown }> }).parameters ?? {};
  const problems: string[] = [];
  if (text(parameters.appName?.value) !== `\${${appName}.name}`)
    problems.push('OneDeploy targets another app');
  const packageUri = text(parameters.packageUri?.value);
  const blob = resourcesOf(recording, 'azurenative.storage.Blob').find((b) =>
    packageUri.includes(`\${${b.name}.name}`),
  );
  if (!blob) return [...problems, 'OneDeploy fetches no declared blob'];
  const archive = resourcesOf(recording, '$util.asset.FileArchive').find(
    (a) => referencePath(blob.args.source) === a.name,
  );
  if (archive?.name !== facts.appDir)
    problems.push(
      `the package blob holds ${archive?.name ?? 'nothing'}, not ${relative(REPO_ROOT, facts.appDir) || facts.appDir}`,
    );
  const sas = callsOf(recording, /listStorageAccountServiceSASOutput$/)[0];
  if (sas && !(sas.args[0] as { sharedAccessExpiryTime?: string }).sharedAccessExpiryTime?.match(/^\d{4}-/))
    problems.push('the package link has no expiry');
  const dependsOn = ((deployment.opts?.dependsOn as unknown[]) ?? []).map(referencePath);
  const assignments = [
    ...resourcesOf(recording, 'azurenative.authorization.RoleAssignment'),
    ...resourcesOf(recording, 'azurenative.cosmosdb.SqlResourceSqlRoleAssignment'),
  ];
  for (const assignment of assignments) {
    if (!dependsOn.includes(assignment.name))
      problems.push(`OneDeploy may start the app before role assignment ${assignment.name} exists`);
  }
  return problems;
}

function identityMismatches(recording: Recording, appName: string, settings: Map<string, string>): string[] {
  const problems: string[] = [];
  const principal = `${appName}.identity.principalId`;
  for (const call of callsOf(
    recording,
    /list(StorageAccountKeys|DatabaseAccountKeys|DatabaseAccountConnectionStrings)/,
  )) {
    problems.push(`reads account keys (${call.target}): the app must use its managed identity`);
  }
  for (const [name, value] of settings) {
    if (/AccountKey=|SharedAccessSignature=|sig=/.test(value))
      problems.push(`${name} carries a storage key or SAS`);
  }
  const storage = resourcesOf(recording, 'azurenative.storage.StorageAccount')[0];
  if (settings.get('AzureWebJobsStorage__accountName') !== `\${${storage?.name}.name}`)
    problems.push("AzureWebJobsStorage__accountName is not the storage account's name");
  const assignments = resourcesOf(recording, 'azurenative.authorization.RoleAssignment');
  for (const [role, id] of Object.entries(STORAGE_ROLES)) {
    const found = assignments.some(
      (a) =>
        text(a.args.roleDefinitionId).endsWith(`/roleDefinitions/${id}`) &&
        referencePath(a.args.scope) === `${storage?.name}.id` &&
        referencePath(a.args.principalId) === principal,
    );
    if (!found) problems.push(`the app's identity lacks ${role} on the storage account`);
  }
  return problems;
}

function cosmosMismatches(recording: Recording, facts: AzureFacts, settings: Map<string, string>): string[] {
  const problems: string[] = [];
  const accounts = resourcesOf(recording, 'azurenative.cosmosdb.DatabaseAccount');
  if (accounts.length !== 1) return [`expected one Cosmos DB account, found ${accounts.length}`];
  const account = accounts[0]!;
  const capabilities = (account.args.capabilities as { name: string }[] | undefined) ?? [];
  if (!capabilities.some((c) => c.name === 'EnableServerless'))
    problems.push('the Cosmos DB account is not serverless');
  if (account.args.disableLocalAuth !== true) problems.push('the Cosmos DB account still accepts keys');
  if (settings.get('COSMOS_ENDPOINT') !== `\${${account.name}.documentEndpoint}`)
    problems.push("COSMOS_ENDPOINT is not the account's endpoint");
  const app = resourcesOf(recording, 'azurenative.web.WebApp')[0]!;
  const rbac = resourcesOf(recording, 'azurenative.cosmosdb.SqlResourceSqlRoleAssignment').some(
    (a) =>
      text(a.args.roleDefinitionId) ===
        `\${${account.name}.id}/sqlRoleDefinitions/${COSMOS_DATA_CONTRIBUTOR}` &&
      referencePath(a.args.scope) === `${account.name}.id` &&
      referencePath(a.args.principalId) === `${app.name}.identity.principalId`,
  );
  if (!rbac) problems.push("the app's identity holds no Cosmos DB data role on the account");
  const database = resourcesOf(recording, 'azurenative.cosmosdb.SqlResourceSqlDatabase')[0];
  const wantedDatabase = settings.get('BATON_COSMOS_DATABASE');
  if (
    !database ||
    database.args.databaseName !== wantedDatabase ||
    (database.args.resource as { id?: string })?.id !== wantedDatabase
  )
    problems.push(`no database ${String(wantedDatabase)} (BATON_COSMOS_DATABASE) is declared`);
  const container = resourcesOf(recording, 'azurenative.cosmosdb.SqlResourceSqlContainer')[0];
  const wantedContainer = settings.get('BATON_COSMOS_CONTAINER');
  const resource = (container?.args.resource ?? {}) as Record<string, unknown>;
  if (!container || container.args.containerName !== wantedContainer || resource.id !== wantedContainer) {
    problems.push(`no container ${String(wantedContainer)} (BATON_COSMOS_CONTAINER) is declared`);
    return problems;
  }
  if (database && referencePath(container.args.databaseName) !== `${database.name}.name`)
    problems.push('the container is not in the declared database');
  for (const field of ['partitionKey', 'defaultTtl', 'indexingPolicy'] as const) {
    if (canonical(resource[field]) !== canonical(facts.container[field])) {
      problems.push(
        `container ${field} ${JSON.stringify(resource[field])} differs from the store's ${JSON.stringify(facts.container[field])}`,
      );
    }
  }
  return problems;
}

function monitoringMismatches(
  recording: Recording,
  facts: AzureFacts,
  appName: string,
  settings: Map<string, string>,
): string[] {
  const problems: string[] = [];
  const insights = resourcesOf(recording, 'azurenative.applicationinsights.Component')[0];
  if (!insights) return ['no Application Insights component'];
  if (settings.get('APPLICATIONINSIGHTS_CONNECTION_STRING') !== `\${${insights.name}.connectionString}`)
    problems.push("APPLICATIONINSIGHTS_CONNECTION_STRING is not the component's");
  if (insights.args.disableLocalAuth === true) {
    if (settings.get('APPLICATIONINSIGHTS_AUTHENTICATION_STRING') !== 'Authorization=AAD')
      problems.push('the component refuses keys but the app does not authenticate with Entra ID');
    const publisher = resourcesOf(recording, 'azurenative.authorization.RoleAssignment').some(
      (a) =>
        referencePath(a.args.scope) === `${insights.name}.id` &&
        referencePath(a.args.principalId) === `${appName}.identity.principalId`,
    );
    if (!publisher) problems.push("the app's identity may not publish telemetry to the component");
  }
  const poison = facts.queueFunctions.get(`${facts.defaultQueueName}-poison`);
  const alert = resourcesOf(recording, 'azurenative.monitor.ScheduledQueryRule').find((rule) =>
    ((rule.args.scopes as unknown[]) ?? []).some((scope) => referencePath(scope) === `${insights.name}.id`),
  );
  const criteria = (
    alert?.args.criteria as { allOf?: { query?: string; threshold?: number; operator?: string }[] }
  )?.allOf?.[0];
  if (!alert || !poison || !criteria?.query?.includes(`'${poison}'`))
    problems.push(`no alert fires on the poison function ${poison ?? '(not registered by the entry)'}`);
  else if (criteria.threshold !== 0 || criteria.operator !== 'GreaterThan')
    problems.push('the poison alert does not fire on the first poisoned run');
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
