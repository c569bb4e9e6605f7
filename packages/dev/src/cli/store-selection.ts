import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { SessionStore } from '@baton/core';
import type { PendingBackfillOptions, PendingBackfillProgress } from '@baton/core/store';
import { SqliteStore } from '@baton/store-sqlite';
import { CliError, type CliIo, UsageError } from './cli-io.js';

export interface StoreFlags {
  store?: string | undefined;
  db?: string | undefined;
  table?: string | undefined;
  endpoint?: string | undefined;
  region?: string | undefined;
  key?: string | undefined;
  database?: string | undefined;
  container?: string | undefined;
  'insecure-tls'?: boolean | undefined;
}

export interface OpenedStore {
  store: SessionStore;
  kind: 'sqlite' | 'dynamodb' | 'cosmos';
  /** For messages: which store, where. */
  description: string;
  /** The SQLite file, where the local run queue lives too. */
  sqlitePath?: string;
  /** The cloud store's one-off pending-index backfill (`baton migrate pending-index`); SQLite needs none. */
  backfillPendingIndex?(options: PendingBackfillOptions): Promise<PendingBackfillProgress>;
  close(): Promise<void>;
}

/**
 * Opens the store the flags (or the environment) name. The cloud stores are imported only when
 * chosen, so the SQLite path never loads an AWS or Azure SDK. `create`: make the SQLite file, the
 * DynamoDB table or the Cosmos container when missing; `newSqliteFile`: the SQLite file only (an
 * import). Otherwise a missing SQLite file is an error rather than a new empty database.
 */
export async function openStore(
  flags: StoreFlags,
  io: CliIo,
  options: { create?: boolean; newSqliteFile?: boolean } = {},
): Promise<OpenedStore> {
  const kind = flags.store ?? (io.env.BATON_STORE || 'sqlite');
  switch (kind) {
    case 'sqlite':
      return openSqlite(flags, io, (options.create ?? false) || (options.newSqliteFile ?? false));
    case 'dynamodb':
      return openDynamo(flags, io, options.create ?? false);
    case 'cosmos':
      return openCosmos(flags, io, options.create ?? false);
    default:
      throw new UsageError(`--store must be sqlite, dynamodb or cosmos, not ${kind}`);
  }
}

function openSqlite(flags: StoreFlags, io: CliIo, create: boolean): OpenedStore {
  const path = flags.db
    ? resolve(io.cwd, flags.db)
    : io.env.BATON_DB
      ? resolve(io.cwd, io.env.BATON_DB)
      : join(resolve(io.cwd, io.env.BATON_DATA_DIR || '.baton'), 'baton.db');
  if (!create && !existsSync(path)) {
    throw new CliError(`no SQLite database at ${path} (run \`baton serve\` first, or pass --db)`);
  }
  const store = new SqliteStore({ path });
  return {
    store,
    kind: 'sqlite',
    description: `SQLite ${path}`,
    sqlitePath: path,
    close: () => store.close(),
  };
}

async function openDynamo(flags: StoreFlags, io: CliIo, create: boolean): Promise<OpenedStore> {
  const tableName = flags.table ?? (io.env.BATON_TABLE || undefined);
  if (!tableName) throw new UsageError('--store dynamodb needs --table (or BATON_TABLE)');
  const [{ DynamoDBClient }, { DynamoStore, createTable, backfillPendingIndex }] = await Promise.all([
    import('@aws-sdk/client-dynamodb'),
    import('@baton/store-dynamodb'),
  ]);
  const endpoint = flags.endpoint ?? (io.env.AWS_ENDPOINT_URL_DYNAMODB || undefined);
  const region =
    flags.region ?? (io.env.AWS_REGION || io.env.AWS_DEFAULT_REGION || (endpoint ? 'us-east-1' : undefined));
  // A local emulator accepts any credentials; without any configured the SDK would refuse to sign.
  // Only for loopback endpoints: a real one (a VPC endpoint) gets the default credential chain.
  const loopback = endpoint !== undefined && /^https?:\/\/(localhost|127\.|\[::1\])/.test(endpoint);
  const localCredentials =
    loopback && !io.env.AWS_ACCESS_KEY_ID && !io.env.AWS_PROFILE
      ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {};
  const client = new DynamoDBClient({
    ...(endpoint ? { endpoint } : {}),
    ...(region ? { region } : {}),
    ...localCredentials,
  });
  if (create) {
    try {
      await createTable(client, tableName);
    } catch (error) {
      if ((error as { name?: string }).name !== 'ResourceInUseException') {
        client.destroy();
        throw error;
      }
    }
  }
  const store = new DynamoStore({ client, tableName });
  return {
    store,
    kind: 'dynamodb',
    description: `DynamoDB table ${tableName}${endpoint ? ` at ${endpoint}` : ''}`,
    backfillPendingIndex: (options) => backfillPendingIndex(client, tableName, options),
    async close() {
      await store.close?.();
      client.destroy();
    },
  };
}

async function openCosmos(flags: StoreFlags, io: CliIo, create: boolean): Promise<OpenedStore> {
  const endpoint = flags.endpoint ?? (io.env.COSMOS_ENDPOINT || undefined);
  const key = flags.key ?? (io.env.COSMOS_KEY || undefined);
  const database = flags.database ?? (io.env.BATON_COSMOS_DATABASE || undefined);
  const container = flags.container ?? (io.env.BATON_COSMOS_CONTAINER || undefined);
  if (!endpoint || !key || !database || !container) {
    throw new UsageError(
      '--store cosmos needs --endpoint, --key, --database and --container (or their environment variables)',
    );
  }
  const { CosmosStore, backfillPendingIndex } = await import('@baton/store-cosmos');
  const agent = flags['insecure-tls']
    ? new (await import('node:https')).Agent({ rejectUnauthorized: false })
    : undefined;
  const store = new CosmosStore({
    clientOptions: { endpoint, key, ...(agent ? { agent } : {}) },
    database,
    container,
  });
  if (create) await store.ensureContainer();
  return {
    store,
    kind: 'cosmos',
    description: `Cosmos DB ${database}/${container} at ${endpoint}`,
    backfillPendingIndex: (options) => backfillPendingIndex(store.client, store.names, options),
    close: () => store.close(),
  };
}
