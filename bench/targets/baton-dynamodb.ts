import { DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { createTable, DynamoStore } from '@baton/store-dynamodb';
import { meterDynamo } from '../cost/dynamodb-meter.js';
import type { Location } from '../harness.js';
import { batonTarget } from './baton-target.js';

const DYNAMO_TABLE = 'baton-bench';

function dynamoClient(location: Location): DynamoDBClient {
  if (!location.endpoints.dynamodb) throw new Error('DynamoDB Local is not running');
  return new DynamoDBClient({
    endpoint: location.endpoints.dynamodb,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
}

export const batonDynamo = batonTarget(
  'baton-dynamodb',
  'Baton, DynamoDB Local',
  (location) => {
    const client = dynamoClient(location);
    const meter = meterDynamo(client);
    const store = new DynamoStore({ client, tableName: DYNAMO_TABLE });
    return {
      store,
      physical: () => ({
        bytes: store.stats.bytesWritten,
        roundTrips: store.stats.roundTrips,
        units: meter.read(),
      }),
      close: async () => {
        await store.close();
        client.destroy();
      },
    };
  },
  {
    needs: 'dynamodb',
    async prepare(location) {
      const client = dynamoClient(location);
      try {
        await createTable(client, DYNAMO_TABLE, { timeToLive: false });
      } catch (error) {
        if (!(error instanceof ResourceInUseException)) throw error;
      } finally {
        client.destroy();
      }
    },
  },
);
