import { Agent as HttpsAgent } from 'node:https';
import type { Clock, SessionStore } from '@baton/core';

/**
 * Where a scenario's sessions live, as plain JSON so a child process can open the same store. The
 * cloud stores are imported lazily: a child of the SQLite runs never loads an AWS or Azure SDK.
 */
export type StoreSpec =
  | { kind: 'sqlite'; path: string }
  | { kind: 'dynamodb'; endpoint: string; tableName: string; maxAttempts?: number }
  | { kind: 'cosmos'; endpoint: string; key: string; database: string; container: string };

export type StoreKind = StoreSpec['kind'];

export const STORE_KINDS: readonly StoreKind[] = ['sqlite', 'dynamodb', 'cosmos'];

export interface OpenOptions {
  clock: Clock;
  /** Called with the DynamoDB client before the store uses it (fault injection). */
  onDynamoClient?: (client: import('@aws-sdk/client-dynamodb').DynamoDBClient) => void;
  /** The HttpClient the Cosmos SDK sends every request through (fault injection). */
  cosmosHttpClient?: import('@azure/core-rest-pipeline').HttpClient;
}

export async function openStore(spec: StoreSpec, options: OpenOptions): Promise<SessionStore> {
  if (spec.kind === 'sqlite') {
    const { SqliteStore } = await import('@baton/store-sqlite');
    // Many processes share one file in the contention runs: wait for the write lock a while.
    return new SqliteStore({ path: spec.path, busyTimeoutMs: 20_000 });
  }
  if (spec.kind === 'dynamodb') {
    const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
    const { DynamoStore } = await import('@baton/store-dynamodb');
    const client = new DynamoDBClient(dynamoConfig(spec.endpoint, spec.maxAttempts));
    options.onDynamoClient?.(client);
    const store = new DynamoStore({ client, tableName: spec.tableName, clock: options.clock });
    // The store leaves a client it was given open: close it with the store.
    const close = store.close.bind(store);
    store.close = async () => {
      await close();
      client.destroy();
    };
    return store;
  }
  const { CosmosStore } = await import('@baton/store-cosmos');
  return new CosmosStore({
    clientOptions: {
      ...cosmosConfig(spec.endpoint, spec.key),
      ...(options.cosmosHttpClient ? { httpClient: options.cosmosHttpClient } : {}),
    },
    database: spec.database,
    container: spec.container,
    clock: options.clock,
  });
}

export function dynamoConfig(endpoint: string, maxAttempts?: number) {
  return {
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'reliability', secretAccessKey: 'reliability' },
    ...(maxAttempts ? { maxAttempts } : {}),
  };
}

export function cosmosConfig(endpoint: string, key: string) {
  return {
    endpoint,
    key,
    // The Cosmos DB API server's certificate is self-signed: only these clients trust it.
    agent: new HttpsAgent({ rejectUnauthorized: false, keepAlive: true }),
    connectionPolicy: {
      retryOptions: { maxRetryAttemptCount: 9, fixedRetryIntervalInMilliseconds: 1, maxWaitTimeInSeconds: 5 },
    },
  };
}
