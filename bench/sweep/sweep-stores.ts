import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent as HttpsAgent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchWriteItemCommand, DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Head, SessionRef, SessionStore } from '@baton/core';
import { newHead } from '@baton/core/store';
import { CosmosStore } from '@baton/store-cosmos';
import { createTable, DynamoStore, headItemAttributes } from '@baton/store-dynamodb';
import { SqliteStore } from '@baton/store-sqlite';
import type { Endpoints } from '../harness.js';

/** What a sweep cost on one store: calls through the contract, and what the store itself counts. */
export interface ReadCounts {
  /** SessionStore read calls (listPending pages). */
  calls: number;
  /** Requests to the service (DynamoDB, Cosmos); statements for SQLite. */
  requests: number;
  /** Heads read (rows, items, documents). */
  items: number;
}

/** One store holding a growing crowd of idle sessions beside a few with pending work. */
export interface SweepFixture {
  store: SessionStore;
  /** Adds `count` idle sessions (settled: their last input read), the bulk of any real table. */
  addIdle(count: number): Promise<void>;
  /** Adds `count` running sessions whose run message was lost `agoMs` ago. */
  addPending(count: number, agoMs: number): Promise<void>;
  /** The store's own counters, which only grow. */
  counters(): { requests: number; items: number };
  close(): Promise<void>;
}

export interface SweepStoreKind {
  id: 'sqlite' | 'dynamodb' | 'cosmos';
  label: string;
  needs?: 'dynamodb' | 'cosmos';
  open(endpoints: Endpoints): Promise<SweepFixture>;
}

const TENANTS = ['acme', 'globex', 'initech', 'umbrella'];
let serial = 0;

function nextRef(kind: string): SessionRef {
  serial += 1;
  return { tenant: TENANTS[serial % TENANTS.length]!, sessionId: `${kind}-${serial}` };
}

/** A settled session: nothing to do until new input arrives. */
function idleHead(ref: SessionRef, at: number): Head {
  return { ...newHead(ref.tenant, ref.sessionId, 'bench', at), version: 1 };
}

/** A session whose input was committed but whose run message never arrived. */
function pendingHead(ref: SessionRef, at: number): Head {
  return { ...newHead(ref.tenant, ref.sessionId, 'bench', at), version: 1, status: 'running' };
}

/** Commits sessions through the store, `parallel` at a time. */
async function commitHeads(store: SessionStore, heads: Head[], parallel: number): Promise<void> {
  for (let start = 0; start < heads.length; start += parallel) {
    await Promise.all(
      heads.slice(start, start + parallel).map((head) =>
        store.commit({
          ref: { tenant: head.tenant, sessionId: head.sessionId },
          expectedVersion: null,
          head,
          events: [],
        }),
      ),
    );
  }
}

function makeHeads(count: number, kind: string, make: (ref: SessionRef, at: number) => Head, at: number) {
  return Array.from({ length: count }, () => make(nextRef(kind), at));
}

export const SQLITE: SweepStoreKind = {
  id: 'sqlite',
  label: 'SQLite',
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'bench-sweep-'));
    const store = new SqliteStore({ path: join(dir, 'sessions.db') });
    return {
      store,
      addIdle: (count) => commitHeads(store, makeHeads(count, 'idle', idleHead, Date.now() - 3_600_000), 1),
      addPending: (count, agoMs) =>
        commitHeads(store, makeHeads(count, 'pending', pendingHead, Date.now() - agoMs), 1),
      counters: () => ({ requests: store.stats.reads, items: store.stats.rowsRead }),
      async close() {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

export const DYNAMODB: SweepStoreKind = {
  id: 'dynamodb',
  label: 'DynamoDB Local',
  needs: 'dynamodb',
  async open(endpoints) {
    if (!endpoints.dynamodb) throw new Error('DynamoDB Local is not running');
    const client = new DynamoDBClient({
      endpoint: endpoints.dynamodb,
      region: 'us-east-1',
      credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    });
    const tableName = `baton-sweep-${randomUUID()}`;
    await createTable(client, tableName, { timeToLive: false });
    const store = new DynamoStore({ client, tableName });
    return {
      store,
      // Head items straight in, 25 per BatchWriteItem: the idle crowd is a fixture, not what is measured.
      async addIdle(count) {
        const heads = makeHeads(count, 'idle', idleHead, Date.now() - 3_600_000);
        const batches: Head[][] = [];
        for (let start = 0; start < heads.length; start += 25) batches.push(heads.slice(start, start + 25));
        for (let start = 0; start < batches.length; start += 8) {
          await Promise.all(
            batches.slice(start, start + 8).map((batch) => writeBatch(client, tableName, batch)),
          );
        }
      },
      addPending: (count, agoMs) =>
        commitHeads(store, makeHeads(count, 'pending', pendingHead, Date.now() - agoMs), 10),
      counters: () => ({ requests: store.stats.roundTrips, items: store.stats.itemsRead }),
      async close() {
        await client.send(new DeleteTableCommand({ TableName: tableName }));
        await store.close();
        client.destroy();
      },
    };
  },
};

async function writeBatch(client: DynamoDBClient, tableName: string, heads: Head[]): Promise<void> {
  let requests = heads.map((head) => ({
    PutRequest: { Item: headItemAttributes({ tenant: head.tenant, sessionId: head.sessionId }, head) },
  }));
  while (requests.length > 0) {
    const output = await client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: requests } }));
    requests = (output.UnprocessedItems?.[tableName] ?? []) as typeof requests;
  }
}

export const COSMOS: SweepStoreKind = {
  id: 'cosmos',
  label: 'Cosmos DB server',
  needs: 'cosmos',
  async open(endpoints) {
    if (!endpoints.cosmos || !endpoints.cosmosKey) throw new Error('the Cosmos DB server is not running');
    const store = new CosmosStore({
      // The emulator's certificate is self-signed: only this client trusts it.
      clientOptions: {
        endpoint: endpoints.cosmos,
        key: endpoints.cosmosKey,
        agent: new HttpsAgent({ rejectUnauthorized: false, keepAlive: true }),
      },
      database: 'baton-bench',
      container: `sweep-${randomUUID()}`,
    });
    await store.ensureContainer();
    return {
      store,
      addIdle: (count) => commitHeads(store, makeHeads(count, 'idle', idleHead, Date.now() - 3_600_000), 50),
      addPending: (count, agoMs) =>
        commitHeads(store, makeHeads(count, 'pending', pendingHead, Date.now() - agoMs), 10),
      counters: () => ({ requests: store.stats.roundTrips, items: store.stats.documentsRead }),
      async close() {
        await store.client.database(store.names.database).container(store.names.container).delete();
        await store.close();
      },
    };
  },
};

export const SWEEP_STORES: readonly SweepStoreKind[] = [SQLITE, DYNAMODB, COSMOS];
