import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Message } from '@aws-sdk/client-sqs';
import { createTable } from '@baton/store-dynamodb';
import { afterAll, beforeAll, inject } from 'vitest';
import { type SqsEmulator, startSqsEmulator } from './sqs-emulator.js';

/** The emulators a Lambda integration test runs against; filled in by the suite's beforeAll. */
export interface LambdaEmulators {
  sqs: SqsEmulator;
  dynamodb: DynamoDBClient;
  /** A table of this suite's own, created before its tests and deleted after. */
  tableName: string;
}

/**
 * Registers the suite's hooks: an SQS emulator (fauxqs) and a fresh table on the run's DynamoDB
 * Local, both gone after the suite. Call it at the top of a `describe`.
 *
 * @example
 *   const env = useLambdaEmulators('baton-cancel');
 *   it('...', async () => { const store = new DynamoStore({ client: env.dynamodb, tableName: env.tableName }); });
 */
export function useLambdaEmulators(prefix: string): LambdaEmulators {
  const env = { tableName: `${prefix}-${randomUUID()}` } as LambdaEmulators;
  beforeAll(async () => {
    env.sqs = await startSqsEmulator();
    env.dynamodb = new DynamoDBClient({
      endpoint: inject('dynamodbEndpoint'),
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    await createTable(env.dynamodb, env.tableName, { timeToLive: false });
  });
  afterAll(async () => {
    await env.dynamodb?.send(new DeleteTableCommand({ TableName: env.tableName }));
    env.dynamodb?.destroy();
    await env.sqs?.stop();
  });
  return env;
}

/** A message as the Lambda event source hands it over once SQS released it (a delay passed). */
export function releasedMessage(body: string, receiveCount = 1): Message {
  return {
    MessageId: randomUUID(),
    ReceiptHandle: randomUUID(),
    Body: body,
    Attributes: { ApproximateReceiveCount: String(receiveCount) },
  };
}
