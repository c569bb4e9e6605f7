import type { Container, CosmosClient, IndexingPolicy, PartitionKeyDefinition } from '@azure/cosmos';
import { BatonError } from '@baton/core';

/**
 * The container every CosmosStore expects, exported so infrastructure code (Pulumi, Bicep, the
 * portal) declares the same one.
 *
 * @example
 * import { containerDefinition } from '@baton/store-cosmos';
 * const container = { id: 'sessions', ...containerDefinition };
 */
export const containerDefinition: {
  partitionKey: PartitionKeyDefinition;
  defaultTtl: number;
  indexingPolicy: IndexingPolicy;
} = {
  // Version 2 (large partition keys): the key holds tenant and session id, up to ~1.2 KB.
  partitionKey: { paths: ['/pk'], kind: 'Hash', version: 2 } as PartitionKeyDefinition,
  // -1 turns TTL on without expiring anything by default, so a per-document `ttl` is honoured
  // (it is ignored on containers without defaultTtl) and retention can be enabled later without a
  // new container.
  defaultTtl: -1,
  // Chunk data and event bodies are never queried: indexing them would only cost RUs on every write.
  indexingPolicy: {
    indexingMode: 'consistent',
    automatic: true,
    includedPaths: [{ path: '/*' }],
    excludedPaths: [{ path: '/data/?' }, { path: '/events/*' }, { path: '/head/*' }, { path: '/dedupe/*' }],
    // listPending filters on `pending` (only heads with work carry it) and orders by updatedAt.
    compositeIndexes: [
      [
        { path: '/pending', order: 'ascending' },
        { path: '/updatedAt', order: 'ascending' },
      ],
    ],
  } as IndexingPolicy,
};

export interface ContainerNames {
  database: string;
  container: string;
}

/** Names from options, else from BATON_COSMOS_DATABASE / BATON_COSMOS_CONTAINER. */
export function resolveContainerNames(
  options: Partial<ContainerNames>,
  env: NodeJS.ProcessEnv = process.env,
): ContainerNames {
  const database = options.database ?? env.BATON_COSMOS_DATABASE;
  const container = options.container ?? env.BATON_COSMOS_CONTAINER;
  if (!database || !container) {
    throw new BatonError(
      'store_config',
      'CosmosStore needs a database and a container: pass { database, container } or set BATON_COSMOS_DATABASE and BATON_COSMOS_CONTAINER',
    );
  }
  return { database, container };
}

/** Creates the database and the container (with containerDefinition) unless they exist. */
export async function createContainerIfMissing(
  client: CosmosClient,
  names: ContainerNames,
): Promise<Container> {
  const { database } = await client.databases.createIfNotExists({ id: names.database });
  const { container } = await database.containers.createIfNotExists({
    id: names.container,
    ...containerDefinition,
  });
  return container;
}
