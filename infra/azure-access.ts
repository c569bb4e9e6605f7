import { createHash } from 'node:crypto';

/**
 * Built-in Azure roles the Function App's managed identity holds, by their fixed ids. Keys are off
 * where the service allows it: the app never holds a storage key, a Cosmos DB key or a SAS.
 */
export const AZURE_ROLES = {
  /** The host's own blobs (leases, keys) and the Flex deployment container. */
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
  /** The run queue and its poison queue: triggers read, the app sends. */
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
  /** Telemetry to an Application Insights component that refuses instrumentation keys. */
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb',
} as const;

/** Cosmos DB's data-plane "Built-in Data Contributor" (items read and written, no account control). */
export const COSMOS_DATA_CONTRIBUTOR = '00000000-0000-0000-0000-000000000002';

/** A stable GUID from a name, for role assignments whose id the caller must choose. */
export function stableGuid(name: string): string {
  const hex = createHash('sha256').update(name).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** An app setting list without the entries whose value resolved to an empty string (an unset secret). */
export function nonEmptySettings(
  settings: readonly { name: string; value: string }[],
): { name: string; value: string }[] {
  return settings.filter((setting) => setting.value !== '');
}

/**
 * The ARM template that deploys the app package through OneDeploy (`sites/extensions/onedeploy`),
 * the Flex Consumption deployment path: the platform copies the zip into the app's deployment
 * container, restarts the app and syncs its triggers, so queue and timer functions are registered
 * with the scale controller after every deploy (on Linux Consumption a package swapped in place
 * left them unsynced until an HTTP request woke the host).
 */
export const ONE_DEPLOY_TEMPLATE = {
  $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
  contentVersion: '1.0.0.0',
  parameters: {
    appName: { type: 'string' },
    packageUri: { type: 'securestring' },
  },
  resources: [
    {
      type: 'Microsoft.Web/sites/extensions',
      apiVersion: '2024-04-01',
      name: "[concat(parameters('appName'), '/onedeploy')]",
      properties: { packageUri: "[parameters('packageUri')]", remoteBuild: false },
    },
  ],
} as const;
