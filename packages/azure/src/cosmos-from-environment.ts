import type { TokenCredential } from '@azure/core-auth';
import { CosmosClient } from '@azure/cosmos';
import { CosmosStore } from '@baton/store-cosmos';
import type { Environment } from './host-settings.js';

/**
 * The Cosmos DB store from app settings, or undefined when none are set:
 * `COSMOS_CONNECTION_STRING`, or `COSMOS_ENDPOINT` with `COSMOS_KEY` (or, for Entra ID, with the
 * credential given: createAzureApp passes the managed identity); `BATON_COSMOS_DATABASE`, `BATON_COSMOS_CONTAINER`; optional
 * `BATON_COSMOS_TTL_SECONDS`. The container is created by the infrastructure, not at cold start.
 *
 * @example
 * const store = cosmosStoreFromEnvironment({ COSMOS_ENDPOINT: 'https://acct.documents.azure.com', COSMOS_KEY: 'k', BATON_COSMOS_DATABASE: 'baton', BATON_COSMOS_CONTAINER: 'sessions' });
 */
export function cosmosStoreFromEnvironment(
  env: Environment,
  options: { credential?: TokenCredential } = {},
): CosmosStore | undefined {
  const common = {
    ...(env.BATON_COSMOS_DATABASE ? { database: env.BATON_COSMOS_DATABASE } : {}),
    ...(env.BATON_COSMOS_CONTAINER ? { container: env.BATON_COSMOS_CONTAINER } : {}),
    ...(env.BATON_COSMOS_TTL_SECONDS ? { ttlSeconds: Number(env.BATON_COSMOS_TTL_SECONDS) } : {}),
  };
  if (env.COSMOS_CONNECTION_STRING) {
    return new CosmosStore({ client: new CosmosClient(env.COSMOS_CONNECTION_STRING), ...common });
  }
  const endpoint = env.COSMOS_ENDPOINT;
  if (!endpoint) return undefined;
  if (env.COSMOS_KEY) return new CosmosStore({ clientOptions: { endpoint, key: env.COSMOS_KEY }, ...common });
  if (options.credential) {
    return new CosmosStore({ clientOptions: { endpoint, aadCredentials: options.credential }, ...common });
  }
  throw new Error(
    'COSMOS_ENDPOINT needs COSMOS_KEY, or a credential for Entra ID (createAzureApp passes the managed identity)',
  );
}
