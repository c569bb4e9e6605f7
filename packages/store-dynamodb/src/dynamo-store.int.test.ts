import { describeStoreConformance } from '@baton/testing';
import { inject } from 'vitest';
import { DynamoStore } from './dynamo-store.js';
import { freshTable, type TestTable, writeRawRecords } from './test-table.js';

/** The shared store conformance suite, unchanged, against DynamoDB Local with a table of its own. */
let table: TestTable | undefined;

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
});
