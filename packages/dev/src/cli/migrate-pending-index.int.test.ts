import { randomUUID } from 'node:crypto';
import { Agent } from 'node:https';
import { join } from 'node:path';
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { Head, SessionStore } from '@baton/core';
import { newHead } from '@baton/core/store';
import { CosmosStore } from '@baton/store-cosmos';
import { ATTRIBUTES, createTable, DynamoStore } from '@baton/store-dynamodb';
import { SqliteStore } from '@baton/store-sqlite';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { memoryIo } from '../test-support/memory-io.js';
import { tempDir } from '../test-support/session-fixtures.js';
import { runCli } from './cli.js';

/**
 * `baton migrate pending-index` on the emulators the global setup started: heads as an older Baton
 * wrote them (no pending marker) become visible to the sweeper's listPending, in bounded runs that
 * resume from the printed token.
 */

const AT = Date.UTC(2026, 0, 1);
let dir: string;

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = memoryIo({ cwd: dir });
  const code = await runCli(argv, io);
  return { code, out: io.out(), err: io.err() };
}

/** Two running sessions and three idle ones, committed through the store. */
async function commitSessions(store: SessionStore): Promise<Head[]> {
  const heads = ['run-1', 'run-2', 'idle-1', 'idle-2', 'idle-3'].map(
    (id): Head => ({
      ...newHead('acme', id, 'helper', AT),
      version: 1,
      status: id.startsWith('run') ? 'running' : 'idle',
    }),
  );
  for (const head of heads) {
    await store.commit({
      ref: { tenant: head.tenant, sessionId: head.sessionId },
      expectedVersion: null,
      head,
      events: [],
    });
  }
  return heads;
}

async function pendingIds(store: SessionStore): Promise<string[]> {
  return (await store.listPending({ limit: 100 })).sessions.map((head) => head.sessionId).sort();
}

beforeAll(() => {
  dir = tempDir();
});

describe('baton migrate pending-index', () => {
  it('marks the pending sessions of an old DynamoDB table in bounded runs that resume from the printed token', async () => {
    const tableName = `baton-cli-${randomUUID()}`;
    const flags = ['--store', 'dynamodb', '--endpoint', inject('dynamodbEndpoint'), '--table', tableName];
    const client = new DynamoDBClient({
      endpoint: inject('dynamodbEndpoint'),
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await createTable(client, tableName, { timeToLive: false });
    const store = new DynamoStore({ client, tableName });
    try {
      for (const head of await commitSessions(store)) {
        await client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: { pk: { S: `acme#${head.sessionId}` }, sk: { S: 'H' } },
            UpdateExpression: 'REMOVE #ppk, #psk',
            ExpressionAttributeNames: { '#ppk': ATTRIBUTES.pendingPk, '#psk': ATTRIBUTES.pendingSk },
          }),
        );
      }
      expect(await pendingIds(store)).toEqual([]);

      const bounded = await cli('migrate', 'pending-index', ...flags, '--page-size', '2', '--max-pages', '1');
      expect(bounded.code).toBe(0);
      expect(bounded.err).toMatch(/^page 1: 2 heads read, .*; resume with --resume \S+$/m);
      const token = /carry on with --resume (\S+)/.exec(bounded.out)?.[1];
      expect(token).toBeDefined();

      const rest = await cli('migrate', 'pending-index', ...flags, '--page-size', '2', '--resume', token!);
      expect(rest.code).toBe(0);
      expect(rest.out).toMatch(/done in \d+ pages/);
      expect(await pendingIds(store)).toEqual(['run-1', 'run-2']);

      const again = await cli('migrate', 'pending-index', ...flags);
      expect(again.out).toContain('5 heads read, 2 with pending work, 0 marked, 2 already marked');
    } finally {
      await store.close();
      client.destroy();
    }
  });

  it('prints JSON Lines per page for a Cosmos DB container', async () => {
    const container = `sessions-${randomUUID()}`;
    const store = new CosmosStore({
      clientOptions: {
        endpoint: inject('cosmosEndpoint'),
        key: inject('cosmosKey'),
        agent: new Agent({ rejectUnauthorized: false }),
      },
      database: 'baton-cli-test',
      container,
    });
    await store.ensureContainer();
    try {
      const items = store.client.database('baton-cli-test').container(container);
      for (const head of await commitSessions(store)) {
        const { resource } = await items.item('head', JSON.stringify(['acme', head.sessionId])).read();
        const { pending: _pending, ...old } = resource;
        await items.item('head', JSON.stringify(['acme', head.sessionId])).replace(old);
      }
      const fresh = () => new CosmosStore({ client: store.client, database: 'baton-cli-test', container });
      expect(await pendingIds(fresh())).toEqual([]);

      const run = await cli(
        'migrate',
        'pending-index',
        '--store',
        'cosmos',
        '--endpoint',
        inject('cosmosEndpoint'),
        '--key',
        inject('cosmosKey'),
        '--database',
        'baton-cli-test',
        '--container',
        container,
        '--insecure-tls',
        '--json',
      );
      expect(run.code).toBe(0);
      const pages = run.out
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      expect(pages.at(-1)).toMatchObject({ pending: 2, marked: 2, movedOn: 0 });
      expect(pages.at(-1)).not.toHaveProperty('resumeToken');
      expect(await pendingIds(fresh())).toEqual(['run-1', 'run-2']);
    } finally {
      await store.client.database('baton-cli-test').container(container).delete();
      await store.close();
    }
  });

  it('says a SQLite file needs nothing', async () => {
    const store = new SqliteStore({ path: join(dir, 'old.db') });
    await store.close();
    const run = await cli('migrate', 'pending-index', '--db', 'old.db');
    expect(run).toMatchObject({ code: 0, out: '' });
    expect(run.err).toContain('needs no backfill');
  });

  it('answers an unknown migration with its usage', async () => {
    const run = await cli('migrate', 'everything');
    expect(run.code).toBe(2);
    expect(run.err).toContain('pending-index');
  });
});
