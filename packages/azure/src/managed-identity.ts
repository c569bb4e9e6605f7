import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import type { Environment } from './host-settings.js';
import { storageConnectionSetting } from './storage-queue-run-queue.js';

/**
 * Whether the app settings name an identity-based connection, which the app must reach with its
 * managed identity: storage by `<connection>__accountName` or `__queueServiceUri` (no connection
 * string), or Cosmos DB by `COSMOS_ENDPOINT` without `COSMOS_KEY` or a connection string.
 *
 * @example
 * usesManagedIdentity({ AzureWebJobsStorage__accountName: 'acct' }); // true
 */
export function usesManagedIdentity(env: Environment): boolean {
  const connection = storageConnectionSetting(env);
  const storage =
    !env[connection] && Boolean(env[`${connection}__accountName`] || env[`${connection}__queueServiceUri`]);
  const cosmos = Boolean(env.COSMOS_ENDPOINT) && !env.COSMOS_KEY && !env.COSMOS_CONNECTION_STRING;
  return storage || cosmos;
}

/**
 * `DefaultAzureCredential`, with `@azure/identity` (and MSAL under it, about 300 KB) loaded only
 * now: an app on keys never loads it, one on its managed identity at its first token request.
 */
async function defaultCredential(): Promise<TokenCredential> {
  const { defaultAzureCredential } = await import('./default-credential.js');
  return defaultAzureCredential();
}

/**
 * A credential made on its first token request, so a cold start that never reaches storage or
 * Cosmos DB (a health check) builds none and loads no identity library. The default is
 * `DefaultAzureCredential`: the managed identity on Azure (AZURE_CLIENT_ID picks a user-assigned
 * one), the developer's login locally.
 *
 * @example
 * const credential = lazyCredential();
 * const store = new CosmosStore({ clientOptions: { endpoint, aadCredentials: credential } });
 */
export function lazyCredential(
  create: () => TokenCredential | Promise<TokenCredential> = defaultCredential,
): TokenCredential {
  let credential: Promise<TokenCredential> | undefined;
  return {
    async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
      // A failed creation is not kept: the next request tries again.
      credential ??= Promise.resolve()
        .then(create)
        .catch((error: unknown) => {
          credential = undefined;
          throw error;
        });
      return (await credential).getToken(scopes, options);
    },
  };
}
