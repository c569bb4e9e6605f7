import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { storageConnectionSetting } from '@baton/azure';
import { appServiceAuthMismatches } from './azure-auth-contract.js';
import { cosmosMismatches } from './azure-cosmos-contract.js';
import type { AzureFacts } from './azure-facts.js';
import { identityMismatches } from './azure-identity-contract.js';
import { monitoringMismatches } from './azure-monitoring-contract.js';
import { REPO_ROOT } from './infra-copy.js';
import { callsOf, type Recording, referencePath, resourcesOf, text } from './recording.js';

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
  problems.push(...appServiceAuthMismatches(recording, app.name, settings));

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
