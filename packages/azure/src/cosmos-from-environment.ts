import type { TokenCredential } from '@azure/core-auth';
import type { ConnectionPolicy } from '@azure/cosmos';
import { CosmosStore } from '@baton/store-cosmos';
import type { Environment } from './host-settings.js';

/**
 * The Cosmos DB store from app settings, or undefined when none are set:
 * `COSMOS_CONNECTION_STRING`, or `COSMOS_ENDPOINT` with `COSMOS_KEY` (or, for Entra ID, with the
 * credential given: createAzureApp passes the managed identity); `BATON_COSMOS_DATABASE`, `BATON_COSMOS_CONTAINER`; optional
 * `BATON_COSMOS_TTL_SECONDS` and `BATON_COSMOS_PREFERRED_REGIONS` (see {@link cosmosConnectionPolicy}).
 * The container is created by the infrastructure, not at cold start.
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
  const connectionPolicy = cosmosConnectionPolicy(env);
  if (env.COSMOS_CONNECTION_STRING) {
    return new CosmosStore({
      clientOptions: { connectionString: env.COSMOS_CONNECTION_STRING, connectionPolicy },
      ...common,
    });
  }
  const endpoint = env.COSMOS_ENDPOINT;
  if (!endpoint) return undefined;
  if (env.COSMOS_KEY) {
    return new CosmosStore({ clientOptions: { endpoint, key: env.COSMOS_KEY, connectionPolicy }, ...common });
  }
  if (options.credential) {
    return new CosmosStore({
      clientOptions: { endpoint, aadCredentials: options.credential, connectionPolicy },
      ...common,
    });
  }
  throw new Error(
    'COSMOS_ENDPOINT needs COSMOS_KEY, or a credential for Entra ID (createAzureApp passes the managed identity)',
  );
}

/**
 * How the Cosmos client finds its regions. Without `BATON_COSMOS_PREFERRED_REGIONS` the client
 * talks to the account's endpoint and nothing else (endpoint discovery off): that endpoint is the
 * account's write region, the only region a serverless account (what the infrastructure deploys)
 * can have, and with discovery on the SDK would read the account's region list before the first
 * request of every cold start, and again every five minutes. For a geo-replicated account, set
 * `BATON_COSMOS_PREFERRED_REGIONS` to its regions in order of preference (`West Europe,North
 * Europe`): endpoint discovery comes on, reads go to the first available of them and the client
 * fails over between regions itself.
 *
 * @example
 * cosmosConnectionPolicy({ BATON_COSMOS_PREFERRED_REGIONS: 'West Europe, North Europe' });
 * // { enableEndpointDiscovery: true, preferredLocations: ['West Europe', 'North Europe'] }
 */
export function cosmosConnectionPolicy(env: Environment): ConnectionPolicy {
  const regions = (env.BATON_COSMOS_PREFERRED_REGIONS ?? '')
    .split(',')
    .map((region) => region.trim())
    .filter((region) => region.length > 0);
  if (regions.length === 0) return { enableEndpointDiscovery: false };
  return { enableEndpointDiscovery: true, preferredLocations: regions };
}
