import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appSettingsOf, azureMismatches } from './azure-contract.js';
import { type AzureFacts, azureFacts } from './azure-facts.js';
import {
  bundleFolder,
  everySetting,
  INFRA_DIR,
  mismatchedCopy,
  removeCopies,
  settingsOf,
} from './infra-copy.js';
import { callsOf, type Recording, recordInfra } from './recording.js';

let appDir: string;

/** Records infra/azure.ts of `dir` with every optional setting present in the deploy environment. */
async function recordAzure(
  dir: string,
  options: { values?: Record<string, unknown>; now?: Date } = {},
): Promise<Recording> {
  const settings = await settingsOf(dir);
  const env = everySetting([...settings.MODEL_SETTINGS, ...settings.AUTH_SETTINGS, ...settings.AZURE_TUNING]);
  const now = options.now ?? new Date('2026-12-05T10:00:00Z');
  return recordInfra(join(dir, 'azure.ts'), 'deployAzure', [appDir, { env, now }], {
    values: options.values ?? {},
  });
}

async function mismatchesOf(dir: string, facts: AzureFacts): Promise<string[]> {
  const settings = await settingsOf(dir);
  return azureMismatches(await recordAzure(dir), facts, {
    leftUnset: settings.AZURE_LEFT_UNSET,
    hostOnly: settings.AZURE_HOST_SETTINGS,
    forbidden: settings.FLEX_FORBIDDEN_SETTINGS,
  });
}

describe('infra/azure.ts', () => {
  let facts: AzureFacts;
  afterAll(removeCopies);
  beforeAll(async () => {
    appDir = bundleFolder(['package.json', 'host.json', 'app.mjs']);
    facts = await azureFacts(appDir);
  });

  it('agrees with the Functions app, the Cosmos store, the queue adapter and Flex Consumption as written', async () => {
    expect(await mismatchesOf(INFRA_DIR, facts)).toEqual([]);
  });

  it('reports the partition key when a copy of infra changes it', async () => {
    const dir = mismatchedCopy('azure.ts', "paths: ['/pk']", "paths: ['/sessionId']");
    expect(await mismatchesOf(dir, facts)).toContainEqual(
      expect.stringMatching(/^container partitionKey .*\/sessionId/),
    );
  });

  it('reports the default TTL when the store changes it and infra does not follow', async () => {
    const changed: AzureFacts = { ...facts, container: { ...facts.container, defaultTtl: 86_400 } };
    expect(await mismatchesOf(INFRA_DIR, changed)).toContainEqual(
      "container defaultTtl -1 differs from the store's 86400",
    );
  });

  it('reports the run queue when a copy declares it under a name the app does not read', async () => {
    const dir = mismatchedCopy('azure.ts', 'queueName: RUN_QUEUE_NAME }', "queueName: 'runs' }");
    expect(await mismatchesOf(dir, facts)).toContainEqual(
      'the app reads queue baton-runs, which is not declared',
    );
  });

  it('reports a setting the app reads when a copy stops forwarding it', async () => {
    const dir = mismatchedCopy(
      'settings.ts',
      "  'BATON_SWEEP_IDLE_MS',\n  'SLACK_APPROVERS',\n  'SLACK_BOT_USER_ID',\n] as const;\n\n/** Variables a Lambda",
      "  'SLACK_APPROVERS',\n  'SLACK_BOT_USER_ID',\n] as const;\n\n/** Variables a Lambda",
    );
    expect(await mismatchesOf(dir, facts)).toContainEqual(
      'the app reads BATON_SWEEP_IDLE_MS, which is neither set nor left unset on purpose',
    );
  });

  it('reports a Linux Consumption plan when a copy goes back to Y1', async () => {
    const dir = mismatchedCopy(
      'azure.ts',
      "sku: { name: 'FC1', tier: 'FlexConsumption' }",
      "sku: { name: 'Y1', tier: 'Dynamic' }",
    );
    expect(await mismatchesOf(dir, facts)).toContainEqual(
      'the plan is Y1, not Flex Consumption (FC1, Linux)',
    );
  });

  it('reports a Node runtime older than 22 when a copy pins 20', async () => {
    const dir = mismatchedCopy('azure.ts', "FLEX_NODE_VERSION = '22'", "FLEX_NODE_VERSION = '20'");
    expect(await mismatchesOf(dir, facts)).toContainEqual('the runtime node 20 is not Node 22 or later');
  });

  it('reports a setting Flex Consumption refuses when a copy sets FUNCTIONS_WORKER_RUNTIME', async () => {
    const dir = mismatchedCopy(
      'azure.ts',
      'BATON_QUEUE_NAME: RUN_QUEUE_NAME,',
      "BATON_QUEUE_NAME: RUN_QUEUE_NAME,\n    FUNCTIONS_WORKER_RUNTIME: 'node',",
    );
    expect(await mismatchesOf(dir, facts)).toContainEqual(
      'sets FUNCTIONS_WORKER_RUNTIME, which Flex Consumption refuses',
    );
  });

  it('deploys the package through OneDeploy on every deploy, so the triggers are synced each time', async () => {
    // One at a time: a recording owns the globals while it runs.
    const expiries: string[] = [];
    for (const now of ['2026-12-05T10:00:00Z', '2026-12-05T11:00:00Z']) {
      const recording = await recordAzure(INFRA_DIR, { now: new Date(now) });
      const sas = callsOf(recording, /listStorageAccountServiceSASOutput$/)[0]?.args[0];
      expiries.push((sas as { sharedAccessExpiryTime: string }).sharedAccessExpiryTime);
    }
    expect(expiries).toEqual(['2026-12-05T12:00:00.000Z', '2026-12-05T13:00:00.000Z']);
    const dir = mismatchedCopy('azure.ts', "'app-onedeploy'", "'app-onedeploy-disabled'");
    const copy = mismatchedCopy(
      'azure-access.ts',
      "name: \"[concat(parameters('appName'), '/onedeploy')]\"",
      'name: "[parameters(\'appName\')]"',
    );
    expect(await mismatchesOf(copy, facts)).toContainEqual(
      'no OneDeploy deployment ships the package (triggers would not be synced)',
    );
    expect(await mismatchesOf(dir, facts)).toEqual([]);
  });

  it('reports OneDeploy racing the role assignments when a copy drops the dependency', async () => {
    const dir = mismatchedCopy('azure.ts', '{ dependsOn: grants }', '{}');
    expect(await mismatchesOf(dir, facts)).toContainEqual(
      'OneDeploy may start the app before role assignment app-blobs exists',
    );
  });

  it('reports the app package when the build writes another folder than infra deploys', async () => {
    const elsewhere = bundleFolder(['app.mjs']);
    expect(await mismatchesOf(INFRA_DIR, { ...facts, appDir: elsewhere })).toContainEqual(
      expect.stringMatching(/^the package blob holds .*, not /),
    );
  });

  it('reaches storage and Cosmos DB with the managed identity and reports a copy that reads account keys', async () => {
    const dir = mismatchedCopy(
      'azure.ts',
      '    COSMOS_ENDPOINT: cosmos.documentEndpoint,',
      '    COSMOS_ENDPOINT: cosmos.documentEndpoint,\n    COSMOS_KEY: azurenative.cosmosdb.listDatabaseAccountKeysOutput({ resourceGroupName: group.name, accountName: cosmos.name }).primaryMasterKey,',
    );
    expect(await mismatchesOf(dir, facts)).toContainEqual(
      'reads account keys (azurenative.cosmosdb.listDatabaseAccountKeysOutput): the app must use its managed identity',
    );
    const keys = mismatchedCopy(
      'azure.ts',
      'disableLocalAuth: true,\n    },\n    keep,',
      'disableLocalAuth: false,\n    },\n    keep,',
    );
    expect(await mismatchesOf(keys, facts)).toContainEqual('the Cosmos DB account still accepts keys');
    const noQueueRole = mismatchedCopy(
      'azure-access.ts',
      "storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'",
      "storageQueueDataContributor: '19e7f393-937e-4f77-808e-94535e297925'",
    );
    expect(await mismatchesOf(noQueueRole, facts)).toContainEqual(
      "the app's identity lacks Storage Queue Data Contributor on the storage account",
    );
  });

  it('reports the Cosmos DB data role when a copy grants another one', async () => {
    const dir = mismatchedCopy(
      'azure-access.ts',
      "COSMOS_DATA_CONTRIBUTOR = '00000000-0000-0000-0000-000000000002'",
      "COSMOS_DATA_CONTRIBUTOR = '00000000-0000-0000-0000-000000000001'",
    );
    expect(await mismatchesOf(dir, facts)).toContainEqual(
      "the app's identity holds no Cosmos DB data role on the account",
    );
  });

  it('sets a secret only when it has a value, never as an empty setting', async () => {
    const values = { 'OpenAiApiKey.value': 'sk-test', 'BedrockApiKey.value': '' };
    const settings = appSettingsOf(await recordAzure(INFRA_DIR, { values })) ?? new Map();
    expect(settings.get('OPENAI_API_KEY')).toBe('sk-test');
    expect(settings.has('AWS_BEARER_TOKEN_BEDROCK')).toBe(false);
    const dir = mismatchedCopy(
      'azure-access.ts',
      "settings.filter((setting) => setting.value !== '')",
      'settings.filter(() => true)',
    );
    const copy = appSettingsOf(await recordAzure(dir, { values })) ?? new Map();
    expect(copy.get('AWS_BEARER_TOKEN_BEDROCK')).toBe('');
  });

  it('wires Application Insights and alerts on the poison function, and reports a copy watching another function', async () => {
    expect(facts.queueFunctions.get('baton-runs-poison')).toBe('baton-runs-poison');
    const dir = mismatchedCopy(
      'azure-monitoring.ts',
      "POISON_FUNCTION_NAME = 'baton-runs-poison'",
      "POISON_FUNCTION_NAME = 'baton-runs'",
    );
    expect(await mismatchesOf(dir, facts)).toContainEqual(
      'no alert fires on the poison function baton-runs-poison',
    );
    const noAad = mismatchedCopy(
      'azure.ts',
      "APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD',",
      '',
    );
    expect(await mismatchesOf(noAad, facts)).toContainEqual(
      'the component refuses keys but the app does not authenticate with Entra ID',
    );
  });
});
