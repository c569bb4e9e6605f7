import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createHttpsServer } from '@vercel/cosmosdb-server';

/**
 * The Cosmos DB API server `@vercel/cosmosdb-server`, in process and in memory, on a free port on
 * 127.0.0.1. It serves HTTPS with its own self-signed certificate: test clients accept it through an
 * https.Agent of their own (never NODE_TLS_REJECT_UNAUTHORIZED). It accepts any key; tests use the
 * well-known key of Microsoft's emulator so the SDK signs requests as it would against that one.
 * Provides `cosmosEndpoint` and `cosmosKey`.
 *
 * What it does not do: atomic batches (it answers 200 and keeps what ran before a failing
 * operation), 207 multi-status, TTL, Patch inside a batch. Tests cover those with a wire-level fake.
 */

const EMULATOR_KEY =
  'C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==';

export const cosmosServer = {
  name: 'cosmos',
  /**
   * `keepAlive`: answer `Connection: keep-alive` as Cosmos DB does (the server's default closes every
   * connection, so each request pays a TLS handshake no deployment pays); the cold-start bench sets it.
   */
  async start(
    options: { keepAlive?: boolean } = {},
  ): Promise<{ provide: Record<string, string>; stop(): Promise<void> }> {
    const server = createHttpsServer(options.keepAlive ? { keepAlive: true } : {});
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    return {
      provide: { cosmosEndpoint: `https://127.0.0.1:${port}`, cosmosKey: EMULATOR_KEY },
      async stop() {
        const closed = once(server, 'close');
        server.close();
        server.closeAllConnections();
        await closed;
      },
    };
  },
};
