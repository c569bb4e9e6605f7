import { azureNameStem, isProduction } from './clouds.js';
import { type Secrets, secretEnvironment } from './secrets.js';
import { AZURE_TUNING, fromEnvironment, MODEL_SETTINGS, SECRETS, type SecretName } from './settings.js';

/** Names the app settings pass to the Functions app; test/infra holds them against the code. */
export const COSMOS_DATABASE = 'baton';
export const COSMOS_CONTAINER = 'sessions';
export const RUN_QUEUE_NAME = 'baton-runs';
/** The Functions host moves a message here after maxDequeueCount failed deliveries. */
export const POISON_QUEUE_NAME = `${RUN_QUEUE_NAME}-poison`;
/** The folder `npm run build:azure` writes: app.mjs, host.json, package.json. */
export const APP_PACKAGE_DIR = 'dist/azure';

export interface AzureOptions {
  secrets: Secrets;
  /** The environment of `sst deploy`: model settings and tuning are copied from it when set. */
  env: Record<string, string | undefined>;
  /** A hash of APP_PACKAGE_DIR (see folderHash): names the package blob, so new code restarts the app. */
  packageVersion: string;
}

/**
 * Baton on Azure through the azure-native Pulumi provider: a resource group holding a serverless
 * Cosmos DB account with the sessions container, a storage account with the run queue, its poison
 * queue and the app package, and a Linux Function App on the Consumption plan.
 */
export function deployAzure({ secrets, env, packageVersion }: AzureOptions) {
  const production = isProduction($app.stage);
  // SST's `removal: retain` only covers AWS resource types: keep the data on production explicitly.
  const keep = { retainOnDelete: production, protect: production };
  const stem = azureNameStem($app.name, $app.stage);

  const group = new azurenative.resources.ResourceGroup(`${stem}-rg`, {}, keep);
  const scope = { resourceGroupName: group.name, location: group.location };

  const cosmos = new azurenative.cosmosdb.DatabaseAccount(
    `${stem}-cosmos`,
    {
      ...scope,
      kind: 'GlobalDocumentDB',
      databaseAccountOfferType: 'Standard',
      // Serverless: billed per request unit and stored GB, nothing for idle throughput.
      capabilities: [{ name: 'EnableServerless' }],
      locations: [{ locationName: group.location, failoverPriority: 0 }],
      // Every commit is conditional (ETag IfMatch, create-only ids), so a stale read fails a
      // commit instead of corrupting a session; Session consistency is enough and cheapest.
      consistencyPolicy: { defaultConsistencyLevel: 'Session' },
      minimalTlsVersion: 'Tls12',
    },
    keep,
  );
  const database = new azurenative.cosmosdb.SqlResourceSqlDatabase(
    'database',
    {
      resourceGroupName: group.name,
      accountName: cosmos.name,
      databaseName: COSMOS_DATABASE,
      resource: { id: COSMOS_DATABASE },
    },
    keep,
  );
  // Mirrors @baton/store-cosmos's containerDefinition; test/infra holds the two together.
  new azurenative.cosmosdb.SqlResourceSqlContainer(
    'sessions',
    {
      resourceGroupName: group.name,
      accountName: cosmos.name,
      databaseName: database.name,
      containerName: COSMOS_CONTAINER,
      resource: {
        id: COSMOS_CONTAINER,
        partitionKey: { paths: ['/pk'], kind: 'Hash', version: 2 },
        defaultTtl: -1,
        indexingPolicy: {
          indexingMode: 'consistent',
          automatic: true,
          includedPaths: [{ path: '/*' }],
          excludedPaths: [
            { path: '/data/?' },
            { path: '/events/*' },
            { path: '/head/*' },
            { path: '/dedupe/*' },
          ],
        },
      },
    },
    keep,
  );
  const cosmosKey = azurenative.cosmosdb.listDatabaseAccountKeysOutput({
    resourceGroupName: group.name,
    accountName: cosmos.name,
  }).primaryMasterKey;

  const storage = new azurenative.storage.StorageAccount(
    stem,
    {
      ...scope,
      kind: 'StorageV2',
      sku: { name: 'Standard_LRS' },
      allowBlobPublicAccess: false,
      minimumTlsVersion: 'TLS1_2',
    },
    keep,
  );
  const inStorage = { resourceGroupName: group.name, accountName: storage.name };
  new azurenative.storage.Queue('runs', { ...inStorage, queueName: RUN_QUEUE_NAME });
  // The host creates it on first use too; declaring it makes it visible (and alertable) from day one.
  new azurenative.storage.Queue('runs-poison', { ...inStorage, queueName: POISON_QUEUE_NAME });
  const storageKey = azurenative.storage
    .listStorageAccountKeysOutput(inStorage)
    .apply((result) => result.keys[0]?.value ?? '');
  const storageConnection = $util.secret(
    $interpolate`DefaultEndpointsProtocol=https;AccountName=${storage.name};AccountKey=${storageKey};EndpointSuffix=core.windows.net`,
  );

  const packages = new azurenative.storage.BlobContainer('packages', {
    ...inStorage,
    containerName: 'app-packages',
    publicAccess: 'None',
  });
  const appPackage = new azurenative.storage.Blob('app-package', {
    ...inStorage,
    containerName: packages.name,
    blobName: `baton-${packageVersion}.zip`,
    type: 'Block',
    source: new $util.asset.FileArchive(APP_PACKAGE_DIR),
  });
  // Linux Consumption loads the package from a URL; a read-only SAS on the packages container.
  const packageSas = azurenative.storage.listStorageAccountServiceSASOutput({
    ...inStorage,
    protocols: 'https',
    resource: 'c',
    permissions: 'r',
    canonicalizedResource: $interpolate`/blob/${storage.name}/${packages.name}`,
    sharedAccessStartTime: '2025-01-01',
    sharedAccessExpiryTime: '2035-01-01',
  }).serviceSasToken;
  const packageUrl = $interpolate`https://${storage.name}.blob.core.windows.net/${packages.name}/${appPackage.name}?${packageSas}`;

  const plan = new azurenative.web.AppServicePlan(`${stem}-plan`, {
    ...scope,
    kind: 'functionapp',
    reserved: true,
    sku: { name: 'Y1', tier: 'Dynamic' },
  });

  const secretNames = Object.keys(SECRETS) as SecretName[];
  const appSettings: Record<string, $util.Input<string>> = {
    FUNCTIONS_EXTENSION_VERSION: '~4',
    FUNCTIONS_WORKER_RUNTIME: 'node',
    WEBSITE_RUN_FROM_PACKAGE: packageUrl,
    AzureWebJobsStorage: storageConnection,
    BATON_QUEUE_NAME: RUN_QUEUE_NAME,
    BATON_HTTP_AUTH_LEVEL: 'function',
    COSMOS_ENDPOINT: cosmos.documentEndpoint,
    COSMOS_KEY: $util.secret(cosmosKey),
    BATON_COSMOS_DATABASE: COSMOS_DATABASE,
    BATON_COSMOS_CONTAINER: COSMOS_CONTAINER,
    ...secretEnvironment(secrets, secretNames),
    ...fromEnvironment(MODEL_SETTINGS, env),
    ...fromEnvironment(AZURE_TUNING, env),
  };

  const app = new azurenative.web.WebApp(`${stem}-func`, {
    ...scope,
    serverFarmId: plan.id,
    kind: 'functionapp,linux',
    reserved: true,
    httpsOnly: true,
    siteConfig: {
      linuxFxVersion: 'Node|22',
      ftpsState: 'Disabled',
      minTlsVersion: '1.2',
      appSettings: Object.entries(appSettings).map(([name, value]) => ({ name, value })),
    },
  });

  return {
    azureApi: $interpolate`https://${app.defaultHostName}/api`,
    azureResourceGroup: group.name,
    azureFunctionApp: app.name,
  };
}
