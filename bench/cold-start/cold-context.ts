import { Agent as HttpsAgent } from 'node:https';
import { CreateTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { StorageQueueRunQueue } from '@baton/azure';
import { createBatonApp, generateApiKey, sessionRef, silentLogger, systemClock } from '@baton/core';
import { modelProviders } from '@baton/model-openai';
import { CosmosStore } from '@baton/store-cosmos';
import { createTable, DynamoStore } from '@baton/store-dynamodb';
import { startFauxqs } from 'fauxqs';
import definition from '../../baton.config.js';
import { azurite } from '../../test/setup/azurite.js';
import type { Endpoints } from '../harness.js';
import minimalDefinition from './minimal-app/baton.config.js';
import { startScriptedOpenAI } from './scripted-openai.js';

export type Service = 'dynamodb' | 'sqs' | 'cosmos' | 'azurite' | 'openai';

/** Which app's session a worker's run message points at, recorded before the process starts. */
export type Seed = 'repository-app' | 'minimal-app';

export interface ColdContext {
  /** The environment of one cold-start process, after seeding what its request needs. */
  prepare(
    handler: { uses: Service[]; seed?: Seed; env?: Record<string, string>; chatTable?: string },
    session: string,
    text: string,
  ): Promise<Record<string, string>>;
  stop(): Promise<void>;
}

const TABLE = 'baton-cold';
const QUEUE = 'baton-runs';
const COSMOS = { database: 'baton-cold', container: 'sessions' };
const CREDENTIALS = { accessKeyId: 'bench', secretAccessKey: 'bench' };

/** What every cold-start process inherits: nothing from this process but the PATH. */
function baseEnv(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    BATON_LOG_LEVEL: process.env.BENCH_COLD_LOG_LEVEL ?? 'error',
    BATON_MODEL_PROVIDER: 'offline',
    // The offline model paces its deltas (25 ms each) for people watching the demo; the peers'
    // fake models answer at once, and so does it here.
    BATON_OFFLINE_DELTA_MS: '0',
  };
}

/**
 * The services Baton's deployable handlers talk to, all on 127.0.0.1: the DynamoDB Local and
 * Cosmos server the runner started, plus an SQS emulator (fauxqs) and Azurite started here. The
 * handlers find them through the environment variables a deployment would set.
 */
export async function startColdContext(
  uses: ReadonlySet<Service>,
  endpoints: Endpoints,
): Promise<ColdContext> {
  const stops: (() => Promise<void>)[] = [];
  const env: Record<string, string> = {};
  // The app's config asks callers for an API key: one, stored where each handler looks keys up.
  const apiKey = generateApiKey({ tenant: 'default', name: 'bench' }, systemClock);
  let dynamo: DynamoStore | undefined;
  let client: DynamoDBClient | undefined;
  try {
    if (uses.has('dynamodb')) {
      if (!endpoints.dynamodb) throw new Error('DynamoDB Local is not running');
      client = new DynamoDBClient({
        endpoint: endpoints.dynamodb,
        region: 'us-east-1',
        credentials: CREDENTIALS,
      });
      await createTable(client, TABLE, { timeToLive: false });
      dynamo = new DynamoStore({ client, tableName: TABLE });
      await dynamo.apiKeys.createApiKey(apiKey.record);
      const created = client;
      stops.push(async () => created.destroy());
      Object.assign(env, {
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
        AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
        BATON_TABLE: TABLE,
      });
    }
    if (uses.has('sqs')) {
      const sqs = await startFauxqs({ port: 0, host: '127.0.0.1', logger: false });
      stops.push(() => sqs.stop());
      const queue = sqs.createQueue(QUEUE);
      Object.assign(env, {
        AWS_ENDPOINT_URL_SQS: sqs.address,
        // fauxqs names queues by a virtual host (sqs.<region>.127.0.0.1:port) that WHATWG URLs
        // reject: the SDK warns once and sends to AWS_ENDPOINT_URL_SQS, where fauxqs finds it.
        BATON_QUEUE_URL: queue.queueUrl,
        BENCH_QUEUE_ARN: queue.queueArn,
      });
    }
    if (uses.has('cosmos')) {
      if (!endpoints.cosmos || !endpoints.cosmosKey) throw new Error('the Cosmos DB server is not running');
      const store = new CosmosStore({
        clientOptions: {
          endpoint: endpoints.cosmos,
          key: endpoints.cosmosKey,
          agent: new HttpsAgent({ rejectUnauthorized: false }),
        },
        ...COSMOS,
      });
      await store.ensureContainer();
      await store.apiKeys.createApiKey(apiKey.record);
      await store.close();
      Object.assign(env, {
        COSMOS_ENDPOINT: endpoints.cosmos,
        COSMOS_KEY: endpoints.cosmosKey,
        BATON_COSMOS_DATABASE: COSMOS.database,
        BATON_COSMOS_CONTAINER: COSMOS.container,
        // The Cosmos server's certificate is self-signed, and the app builds its client from app
        // settings alone: trust it in the cold-start processes, which talk to 127.0.0.1 only.
        NODE_TLS_REJECT_UNAUTHORIZED: '0',
      });
    }
    if (uses.has('openai')) {
      const openai = await startScriptedOpenAI();
      stops.push(() => openai.close());
      Object.assign(env, { OPENAI_API_KEY: 'bench', OPENAI_BASE_URL: openai.baseURL });
    }
    if (uses.has('azurite')) {
      const queues = await azurite.start();
      stops.push(() => queues.stop());
      const connection = queues.provide.azuriteQueueConnection!;
      await new StorageQueueRunQueue({ connectionString: connection, queueName: QUEUE }).createIfNotExists();
      Object.assign(env, { AzureWebJobsStorage: connection, BATON_QUEUE_NAME: QUEUE });
    }
  } catch (error) {
    for (const stop of stops.reverse()) await stop();
    throw error;
  }
  // Seeds the workers' sessions: a message recorded by an HTTP invocation of the app a bundle
  // serves (this repository's baton.config.ts on the offline model, or the minimal app on OpenAI),
  // its run left to the queue.
  const seeders = dynamo
    ? {
        'repository-app': createBatonApp(definition, {
          store: dynamo,
          queue: { enqueue: async () => {} },
          logger: silentLogger,
          env: { BATON_MODEL_PROVIDER: 'offline' },
        }).baton,
        'minimal-app': createBatonApp(minimalDefinition, {
          store: dynamo,
          queue: { enqueue: async () => {} },
          logger: silentLogger,
          env: { OPENAI_API_KEY: 'bench' },
          providers: modelProviders,
        }).baton,
      }
    : undefined;
  // A peer's own message table (pk = session id, sk = sequence), created once.
  const chatTables = new Map<string, Promise<void>>();
  function chatTable(name: string): Promise<void> {
    if (!client)
      throw new Error(`the table ${name} needs DynamoDB Local: add 'dynamodb' to the handler's uses`);
    if (!chatTables.has(name)) chatTables.set(name, createChatTable(client, name));
    return chatTables.get(name)!;
  }
  return {
    async prepare(handler, session, text) {
      const { uses, seed } = handler;
      if (handler.chatTable) await chatTable(handler.chatTable);
      if (seed) {
        if (!seeders) throw new Error('the worker needs DynamoDB Local');
        await seeders[seed].submit(sessionRef('default', session), { text, source: 'bench' });
      }
      const own = uses.flatMap((service) => Object.keys(env).filter((key) => belongsTo(key, service)));
      const base = baseEnv();
      // A handler on the OpenAI adapter answers from the scripted wire fake, not the offline model.
      if (uses.includes('openai')) delete base.BATON_MODEL_PROVIDER;
      return {
        ...base,
        ...Object.fromEntries(own.map((key) => [key, env[key]!])),
        ...handler.env,
        BENCH_API_KEY: apiKey.key,
        BENCH_SESSION: session,
        BENCH_TEXT: text,
      };
    },
    async stop() {
      for (const stop of stops.reverse()) await stop();
    },
  };
}

async function createChatTable(client: DynamoDBClient, name: string): Promise<void> {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: name,
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'N' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
}

function belongsTo(key: string, service: Service): boolean {
  switch (service) {
    case 'dynamodb':
      return key.startsWith('AWS_') && !key.endsWith('_SQS') ? true : key === 'BATON_TABLE';
    case 'sqs':
      return key === 'AWS_ENDPOINT_URL_SQS' || key === 'BATON_QUEUE_URL' || key === 'BENCH_QUEUE_ARN';
    case 'cosmos':
      return (
        key.startsWith('COSMOS_') || key.startsWith('BATON_COSMOS_') || key === 'NODE_TLS_REJECT_UNAUTHORIZED'
      );
    case 'azurite':
      return key === 'AzureWebJobsStorage' || key === 'BATON_QUEUE_NAME';
    case 'openai':
      return key.startsWith('OPENAI_');
  }
}
