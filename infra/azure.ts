import {
  AZURE_ROLES,
  COSMOS_DATA_CONTRIBUTOR,
  nonEmptySettings,
  ONE_DEPLOY_TEMPLATE,
  stableGuid,
} from './azure-access.js';
import { APP_SERVICE_AUTH_SETTING, appServiceAuthentication } from './azure-auth.js';
import { azureMonitoring } from './azure-monitoring.js';
import type { AzureStackOptions } from './azure-options.js';
import { azureNameStem, isProduction } from './clouds.js';
import { folderHash } from './package-version.js';
import { declareSecrets } from './secrets.js';
import {
  AUTH_SETTINGS,
  AZURE_TUNING,
  fromEnvironment,
  MODEL_SETTINGS,
  SECRETS,
  type SecretName,
} from './settings.js';

/** Names the app settings pass to the Functions app; test/infra holds them against the code. */
export const COSMOS_DATABASE = 'baton';
export const COSMOS_CONTAINER = 'sessions';
export const RUN_QUEUE_NAME = 'baton-runs';
/** The Functions host moves a message here after maxDequeueCount failed deliveries. */
export const POISON_QUEUE_NAME = `${RUN_QUEUE_NAME}-poison`;
/** Flex Consumption's Node.js runtime. */
export const FLEX_NODE_VERSION = '22';

/**
 * Baton on Azure from a prebuilt Functions app folder (`npx baton build azure`: package.json,
 * host.json, app.mjs), through the azure-native provider: a serverless Cosmos DB account, a storage
 * account with the run and poison queues, a Function App on Flex Consumption (Node 22) reaching both
 * with its managed identity, Application Insights and an alert on poisoned runs.
 *
 * @example
 * // sst.config.ts, in run():
 * const { deployAzure } = await import('./infra/azure');
 * return deployAzure('.baton/build/azure', { maximumInstanceCount: 200, secrets: ['OpenAiApiKey'] });
 */
export function deployAzure(appDir: string, options: AzureStackOptions = {}) {
  const env = options.env ?? process.env;
  const production = isProduction($app.stage);
  // SST's `removal: retain` only covers AWS resource types: keep the data on production explicitly.
  const keep = { retainOnDelete: production, protect: production };
  const stem = azureNameStem($app.name, $app.stage);
  const maxInstances = options.maximumInstanceCount ?? 100;
  if (!Number.isInteger(maxInstances) || maxInstances < 40 || maxInstances > 1000) {
    throw new Error(`maximumInstanceCount must be an integer from 40 to 1000, got ${maxInstances}`);
  }

  const easyAuth = options.auth?.appServiceAuth;
  if (easyAuth && (!easyAuth.issuer || !easyAuth.clientId)) {
    throw new Error('auth.appServiceAuth needs an issuer and a clientId');
  }

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
      // No account keys: data access only through Entra ID and the role assignment below.
      disableLocalAuth: true,
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
          compositeIndexes: [
            [
              { path: '/pending', order: 'ascending' },
              { path: '/updatedAt', order: 'ascending' },
            ],
          ],
        },
      },
    },
    keep,
  );

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
  // Flex Consumption keeps the deployed package here and reads it with the app's identity.
  const deployments = new azurenative.storage.BlobContainer('deployments', {
    ...inStorage,
    containerName: 'app-deployments',
    publicAccess: 'None',
  });
  // Where this deploy uploads the built folder, named by its content hash, for OneDeploy to fetch.
  const uploads = new azurenative.storage.BlobContainer('uploads', {
    ...inStorage,
    containerName: 'app-uploads',
    publicAccess: 'None',
  });
  const appPackage = new azurenative.storage.Blob('app-package', {
    ...inStorage,
    containerName: uploads.name,
    blobName: `baton-${folderHash(appDir)}.zip`,
    type: 'Block',
    source: new $util.asset.FileArchive(appDir),
  });

  const insights = azureMonitoring(stem, scope, options.alarmEmail);

  const plan = new azurenative.web.AppServicePlan(`${stem}-plan`, {
    ...scope,
    kind: 'functionapp',
    reserved: true,
    sku: { name: 'FC1', tier: 'FlexConsumption' },
  });

  const declared = declareSecrets(options.secrets);
  const secretNames = Object.keys(declared) as SecretName[];
  const plainSettings: Record<string, $util.Input<string>> = {
    AzureWebJobsStorage__accountName: storage.name,
    APPLICATIONINSIGHTS_CONNECTION_STRING: insights.connectionString,
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD',
    BATON_QUEUE_NAME: RUN_QUEUE_NAME,
    BATON_HTTP_AUTH_LEVEL: options.auth?.functionKeys === false ? 'anonymous' : 'function',
    // The app then registers an anonymous console/{*path} function; its pages need the app's auth.
    ...(options.console ? { BATON_CONSOLE: 'on' } : {}),
    // The app trusts x-ms-client-principal only when this says the platform guards that header.
    ...(easyAuth ? { [APP_SERVICE_AUTH_SETTING]: 'true' } : {}),
    COSMOS_ENDPOINT: cosmos.documentEndpoint,
    BATON_COSMOS_DATABASE: COSMOS_DATABASE,
    BATON_COSMOS_CONTAINER: COSMOS_CONTAINER,
    ...fromEnvironment(MODEL_SETTINGS, env),
    ...fromEnvironment(AUTH_SETTINGS, env),
    ...fromEnvironment(AZURE_TUNING, env),
  };
  const settingNames = [...Object.keys(plainSettings), ...secretNames.map((name) => SECRETS[name])];
  const appSettings = $util
    .all([...Object.values(plainSettings), ...secretNames.map((name) => declared[name]!.value)])
    .apply((values) =>
      // An unset secret is left out, never set empty: the handlers treat presence as configured.
      nonEmptySettings(values.map((value, index) => ({ name: settingNames[index]!, value: String(value) }))),
    );

  const app = new azurenative.web.WebApp(`${stem}-func`, {
    ...scope,
    serverFarmId: plan.id,
    kind: 'functionapp,linux',
    reserved: true,
    httpsOnly: true,
    identity: { type: 'SystemAssigned' },
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer',
          value: $interpolate`${storage.primaryEndpoints.blob}${deployments.name}`,
          authentication: { type: 'SystemAssignedIdentity' },
        },
      },
      runtime: { name: 'node', version: FLEX_NODE_VERSION },
      scaleAndConcurrency: {
        maximumInstanceCount: maxInstances,
        instanceMemoryMB: options.instanceMemoryMB ?? 2048,
      },
    },
    siteConfig: { ftpsState: 'Disabled', minTlsVersion: '1.2', appSettings },
  });
  if (easyAuth) appServiceAuthentication(app.name, group.name, easyAuth);
  const principalId = app.identity.apply((identity) => identity?.principalId ?? '');

  const subscription = azurenative.authorization.getClientConfigOutput().subscriptionId;
  const role = (id: string) =>
    $interpolate`/subscriptions/${subscription}/providers/Microsoft.Authorization/roleDefinitions/${id}`;
  const grants = [
    new azurenative.authorization.RoleAssignment('app-blobs', {
      scope: storage.id,
      principalId,
      principalType: 'ServicePrincipal',
      roleDefinitionId: role(AZURE_ROLES.storageBlobDataOwner),
    }),
    new azurenative.authorization.RoleAssignment('app-queues', {
      scope: storage.id,
      principalId,
      principalType: 'ServicePrincipal',
      roleDefinitionId: role(AZURE_ROLES.storageQueueDataContributor),
    }),
    new azurenative.authorization.RoleAssignment('app-telemetry', {
      scope: insights.id,
      principalId,
      principalType: 'ServicePrincipal',
      roleDefinitionId: role(AZURE_ROLES.monitoringMetricsPublisher),
    }),
    new azurenative.cosmosdb.SqlResourceSqlRoleAssignment('app-cosmos', {
      resourceGroupName: group.name,
      accountName: cosmos.name,
      roleAssignmentId: stableGuid(`${stem}-cosmos-data-contributor`),
      roleDefinitionId: $interpolate`${cosmos.id}/sqlRoleDefinitions/${COSMOS_DATA_CONTRIBUTOR}`,
      scope: cosmos.id,
      principalId,
    }),
  ];

  // OneDeploy fetches the upload through a read-only link that expires two hours after this deploy.
  // The new expiry makes every `sst deploy` redeploy the package, and OneDeploy syncs the triggers.
  const expiry = new Date((options.now ?? new Date()).getTime() + 2 * 3600_000).toISOString();
  const uploadSas = azurenative.storage.listStorageAccountServiceSASOutput({
    ...inStorage,
    protocols: 'https',
    resource: 'b',
    permissions: 'r',
    canonicalizedResource: $interpolate`/blob/${storage.name}/${uploads.name}/${appPackage.name}`,
    sharedAccessExpiryTime: expiry,
  }).serviceSasToken;
  new azurenative.resources.Deployment(
    'app-onedeploy',
    {
      resourceGroupName: group.name,
      properties: {
        mode: 'Incremental',
        template: ONE_DEPLOY_TEMPLATE,
        parameters: {
          appName: { value: app.name },
          packageUri: {
            value: $util.secret(
              $interpolate`${storage.primaryEndpoints.blob}${uploads.name}/${appPackage.name}?${uploadSas}`,
            ),
          },
        },
      },
    },
    // The host starts on the new package: it must reach its storage and Cosmos DB by then.
    { dependsOn: grants },
  );

  return {
    azureApi: $interpolate`https://${app.defaultHostName}/api`,
    ...(options.console ? { azureConsole: $interpolate`https://${app.defaultHostName}/api/console` } : {}),
    azureResourceGroup: group.name,
    azureFunctionApp: app.name,
  };
}
