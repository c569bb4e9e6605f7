import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AzureFacts, azureFacts, azureMismatches } from './azure-contract.js';
import { everySetting, INFRA_DIR, mismatchedCopy, removeCopies, settingsOf } from './infra-copy.js';
import { type Recording, recordInfra } from './recording.js';

/** Records infra/azure.ts of `dir` with every optional setting present in the deploy environment. */
async function recordAzure(dir: string): Promise<Recording> {
  const settings = await settingsOf(dir);
  const env = everySetting([...settings.MODEL_SETTINGS, ...settings.AZURE_TUNING]);
  return recordInfra(join(dir, 'azure.ts'), 'deployAzure', (secrets) => ({
    secrets,
    env,
    packageVersion: 'abc123',
  }));
}

async function mismatchesOf(dir: string, facts: AzureFacts): Promise<string[]> {
  const { AZURE_LEFT_UNSET, AZURE_HOST_SETTINGS } = await settingsOf(dir);
  return azureMismatches(await recordAzure(dir), facts, AZURE_LEFT_UNSET, AZURE_HOST_SETTINGS);
}

describe('infra/azure.ts', () => {
  let facts: AzureFacts;
  afterAll(removeCopies);
  beforeAll(async () => {
    facts = await azureFacts();
  });

  it('agrees with the Functions app, the Cosmos store and the queue adapter when evaluated as written', async () => {
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

  it('reports the app package when a copy deploys another folder', async () => {
    const dir = mismatchedCopy(
      'azure.ts',
      "APP_PACKAGE_DIR = 'dist/azure'",
      "APP_PACKAGE_DIR = 'dist/functions'",
    );
    expect(await mismatchesOf(dir, facts)).toContainEqual(
      'the package blob holds dist/functions, not dist/azure (what npm run build:azure writes)',
    );
  });

  it('reports a setting the app reads when a copy stops setting it', async () => {
    const dir = mismatchedCopy('azure.ts', 'COSMOS_KEY: $util.secret(cosmosKey),', '');
    expect(await mismatchesOf(dir, facts)).toContainEqual(
      'the app reads COSMOS_KEY, which is neither set nor left unset on purpose',
    );
  });

  it('reports a function timeout the Consumption plan cuts short when host.json asks for more', async () => {
    const longer: AzureFacts = { ...facts, functionTimeoutMs: 30 * 60_000 };
    expect(await mismatchesOf(INFRA_DIR, longer)).toContainEqual(
      "host.json's functionTimeout (1800000 ms) exceeds the Consumption plan's 10 minutes",
    );
  });
});
