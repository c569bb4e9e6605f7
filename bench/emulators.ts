import { cosmosServer } from '../test/setup/cosmos-server.js';
import { dynamodbLocal } from '../test/setup/dynamodb-local.js';
import type { Endpoints } from './harness.js';

/**
 * Starts the emulators the chosen targets need, with the test suite's own setup modules, so the
 * benchmark talks to the same DynamoDB Local and Cosmos DB server the tests do (127.0.0.1 only).
 * The Cosmos server runs inside this process; the benchmark processes are separate, so its work
 * never counts as theirs.
 */
export async function startEmulators(
  needs: ReadonlySet<'dynamodb' | 'cosmos'>,
): Promise<{ endpoints: Endpoints; stop(): Promise<void> }> {
  const started: { stop(): Promise<void> }[] = [];
  const endpoints: Endpoints = {};
  try {
    if (needs.has('dynamodb')) {
      const dynamodb = await dynamodbLocal.start();
      started.push(dynamodb);
      endpoints.dynamodb = dynamodb.provide.dynamodbEndpoint;
    }
    if (needs.has('cosmos')) {
      // Connections kept alive, as Cosmos DB keeps them: a cold start pays one TLS handshake, not one per request.
      const cosmos = await cosmosServer.start({ keepAlive: true });
      started.push(cosmos);
      endpoints.cosmos = cosmos.provide.cosmosEndpoint;
      endpoints.cosmosKey = cosmos.provide.cosmosKey;
    }
  } catch (error) {
    await Promise.all(started.map((emulator) => emulator.stop()));
    throw error;
  }
  return {
    endpoints,
    async stop() {
      // The emulators' processes are unref'd: without a timer of its own this process would
      // exit in the middle of stopping them, before the report is written.
      const hold = setInterval(() => {}, 1_000);
      try {
        await Promise.all(started.map((emulator) => emulator.stop()));
      } finally {
        clearInterval(hold);
      }
    },
  };
}
