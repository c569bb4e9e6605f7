import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CosmosClient } from '@azure/cosmos';
import { CosmosStore } from '@baton/store-cosmos';
import { createTable } from '@baton/store-dynamodb';
import { cosmosConfig, dynamoConfig, type StoreKind, type StoreSpec } from './store-spec.js';

/** The emulators' addresses, from the global setup (vitest) or from the environment (the soak). */
export interface Endpoints {
  dynamodbEndpoint: string;
  cosmosEndpoint: string;
  cosmosKey: string;
}

/**
 * One place per store for a test file's sessions: a folder of SQLite files, a DynamoDB table and a
 * Cosmos container of its own, dropped at the end. Scenarios keep apart by session id and tenant.
 */
export class StoreTargets {
  readonly run = randomUUID().slice(0, 8);
  // tmpfs where there is one: a SIGKILL loses nothing the OS page cache holds, so fsync buys these
  // tests nothing, and ~70 fsyncs per run would make every crashed child take a second.
  private readonly dir = mkdtempSync(
    join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'baton-reliability-'),
  );
  private readonly tableName = `baton-reliability-${this.run}`;
  private readonly container = `reliability-${this.run}`;
  private readonly database = 'baton-reliability';
  private prepared: Promise<void> | undefined;

  constructor(private readonly endpoints: Endpoints) {}

  /** Creates the table and the container (once). */
  prepare(): Promise<void> {
    this.prepared ??= (async () => {
      const client = new DynamoDBClient(dynamoConfig(this.endpoints.dynamodbEndpoint));
      try {
        await createTable(client, this.tableName, { timeToLive: false });
      } finally {
        client.destroy();
      }
      const store = new CosmosStore({
        clientOptions: cosmosConfig(this.endpoints.cosmosEndpoint, this.endpoints.cosmosKey),
        database: this.database,
        container: this.container,
      });
      await store.ensureContainer();
      await store.close();
    })();
    return this.prepared;
  }

  /** Where `label`'s sessions live on `kind`; SQLite gets a file per label. */
  spec(kind: StoreKind, label: string): StoreSpec {
    if (kind === 'sqlite') return { kind, path: join(this.dir, `${label}.db`) };
    if (kind === 'dynamodb')
      return { kind, endpoint: this.endpoints.dynamodbEndpoint, tableName: this.tableName };
    return {
      kind,
      endpoint: this.endpoints.cosmosEndpoint,
      key: this.endpoints.cosmosKey,
      database: this.database,
      container: this.container,
    };
  }

  /** A scratch folder for files next to the stores (execution counters, traces). */
  file(name: string): string {
    return join(this.dir, name);
  }

  async dispose(): Promise<void> {
    rmSync(this.dir, { recursive: true, force: true });
    if (!this.prepared) return;
    const client = new DynamoDBClient(dynamoConfig(this.endpoints.dynamodbEndpoint));
    const cosmos = new CosmosClient(cosmosConfig(this.endpoints.cosmosEndpoint, this.endpoints.cosmosKey));
    try {
      await client.send(new DeleteTableCommand({ TableName: this.tableName })).catch(() => undefined);
      await cosmos
        .database(this.database)
        .container(this.container)
        .delete()
        .catch(() => undefined);
    } finally {
      client.destroy();
      cosmos.dispose();
    }
  }
}
