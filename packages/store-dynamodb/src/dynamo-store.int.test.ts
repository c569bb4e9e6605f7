import type { SessionStore } from '@baton/core';
import { describeStoreConformance } from '@baton/testing';
import { inject } from 'vitest';
import { DynamoStore } from './dynamo-store.js';
import { expireItems, freshTable, type TestTable, writeRawRecords } from './test-table.js';

/** The shared store conformance suite, unchanged, against DynamoDB Local with a table of its own. */
let table: TestTable | undefined;
/** Retention stores, each on a table of its own that `expire` sweeps the way DynamoDB's TTL would. */
const retentionTables = new Map<SessionStore, TestTable>();

describeStoreConformance('dynamodb', {
  async create({ clock }) {
    table = await freshTable(inject('dynamodbEndpoint'));
    return new DynamoStore({ client: table.client, tableName: table.tableName, clock });
  },
  async writeRaw(_store, fixture) {
    await writeRawRecords(table!, fixture);
  },
  async destroy() {
    await table?.drop();
  },
  retention: {
    async create({ clock, ttlSeconds, dedupeTtlSeconds }) {
      const own = await freshTable(inject('dynamodbEndpoint'));
      const store = new DynamoStore({
        client: own.client,
        tableName: own.tableName,
        clock,
        ...(ttlSeconds === undefined ? {} : { ttlSeconds }),
        ...(dedupeTtlSeconds === undefined ? {} : { dedupeTtlSeconds }),
      });
      retentionTables.set(store, own);
      return store;
    },
    async expire(store, now) {
      await expireItems(retentionTables.get(store)!, now);
    },
    async destroy(store) {
      await retentionTables.get(store)?.drop();
    },
  },
});
