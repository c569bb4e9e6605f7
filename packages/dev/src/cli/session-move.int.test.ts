import { randomUUID } from 'node:crypto';
import { Agent } from 'node:https';
import { join } from 'node:path';
import type { SessionEvent, SessionRef, SessionStore } from '@baton/core';
import { CosmosStore } from '@baton/store-cosmos';
import { DynamoStore } from '@baton/store-dynamodb';
import { SqliteStore } from '@baton/store-sqlite';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { keyIdentity } from '../test-support/identities.js';
import { memoryIo } from '../test-support/memory-io.js';
import { demoBaton, resume, say, tempDir } from '../test-support/session-fixtures.js';
import { runCli } from './cli.js';

/**
 * A session moves SQLite -> DynamoDB Local -> the Cosmos DB API server -> SQLite with the CLI's
 * export and import, and the example agent continues it in each store with its history and tool
 * state intact. The emulators are the ones test/setup/global-setup.ts started.
 */

const ref: SessionRef = { tenant: 'acme', sessionId: 'travelling' };
let dir: string;
let dynamoFlags: string[];
let cosmosFlags: string[];

async function cli(...argv: string[]): Promise<string> {
  const io = memoryIo({ cwd: dir });
  const code = await runCli(argv, io);
  if (code !== 0) throw new Error(`baton ${argv.join(' ')} exited ${code}: ${io.err()}`);
  return io.out();
}

function dynamoStore(): DynamoStore {
  return new DynamoStore({
    client: {
      endpoint: inject('dynamodbEndpoint'),
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    },
    tableName: dynamoFlags[dynamoFlags.indexOf('--table') + 1]!,
  });
}

function cosmosStore(): CosmosStore {
  return new CosmosStore({
    clientOptions: {
      endpoint: inject('cosmosEndpoint'),
      key: inject('cosmosKey'),
      agent: new Agent({ rejectUnauthorized: false }),
    },
    database: 'baton-cli-test',
    container: cosmosFlags[cosmosFlags.indexOf('--container') + 1]!,
  });
}

/** Runs one more turn on the store the session lives in now, and returns its whole log. */
async function continueOn(store: SessionStore, text: string): Promise<SessionEvent[]> {
  try {
    const { baton } = demoBaton(store);
    await say(baton, ref, text);
    return await store.readEvents(ref);
  } finally {
    await store.close?.();
  }
}

const transcript = (events: SessionEvent[]) =>
  events.map((event) => ({ ...event, ...('latencyMs' in event ? { latencyMs: 0 } : {}) }));

beforeAll(() => {
  dir = tempDir();
  dynamoFlags = [
    '--store',
    'dynamodb',
    '--endpoint',
    inject('dynamodbEndpoint'),
    '--table',
    `baton-cli-${randomUUID()}`,
  ];
  cosmosFlags = [
    '--store',
    'cosmos',
    '--endpoint',
    inject('cosmosEndpoint'),
    '--key',
    inject('cosmosKey'),
    '--database',
    'baton-cli-test',
    '--container',
    `sessions-${randomUUID()}`,
    '--insecure-tls',
  ];
});

describe('moving a session between stores with the CLI', () => {
  it('continues in DynamoDB, then Cosmos DB, then SQLite with its history and tool state', async () => {
    const sqlite = new SqliteStore({ path: join(dir, 'first.db') });
    const { baton } = demoBaton(sqlite);
    await say(baton, ref, 'note pack passport');
    await say(baton, ref, 'email bob@example.com Flights');
    const callId = (await baton.session(ref)).pendingApprovals[0]!.callId;
    await baton.decide(ref, { callId, approved: true, identity: keyIdentity(ref.tenant, ['approve']) });
    await resume(baton, ref);
    const fromSqlite = await sqlite.readEvents(ref);
    await sqlite.close();

    await cli('sessions', 'export', ref.sessionId, '--tenant', 'acme', '--db', 'first.db', '-o', 'one.jsonl');
    await cli('sessions', 'import', 'one.jsonl', ...dynamoFlags, '--create', '--chunk-size', '4');
    expect(await cli('sessions', 'list', ...dynamoFlags, '--tenant', 'acme')).toMatch(/travelling\s+idle/);
    const inDynamo = await continueOn(dynamoStore(), 'note book hotel');
    expect(transcript(inDynamo.slice(0, fromSqlite.length))).toEqual(transcript(fromSqlite));

    await cli('sessions', 'export', ref.sessionId, '--tenant', 'acme', ...dynamoFlags, '-o', 'two.jsonl');
    await cli('sessions', 'import', 'two.jsonl', ...cosmosFlags, '--create');
    const inCosmos = await continueOn(cosmosStore(), 'note rent car');
    expect(transcript(inCosmos.slice(0, inDynamo.length))).toEqual(transcript(inDynamo));

    await cli('sessions', 'export', ref.sessionId, '--tenant', 'acme', ...cosmosFlags, '-o', 'three.jsonl');
    await cli('sessions', 'import', 'three.jsonl', '--db', 'last.db');
    const last = new SqliteStore({ path: join(dir, 'last.db') });
    const { baton: home } = demoBaton(last);
    await say(home, ref, 'notes');
    const session = await home.session(ref);
    await last.close();
    expect(session.lastReply).toContain('pack passport');
    expect(session.lastReply).toContain('book hotel');
    expect(session.lastReply).toContain('rent car');
    expect(session.toolState).toMatchObject({ sent: ['bob@example.com: Flights'] });
    expect(session.seq).toBeGreaterThan(inCosmos.length);
  });

  it('shows and decides a session in DynamoDB from the CLI', async () => {
    const sqlite = new SqliteStore({ path: join(dir, 'waiting.db') });
    const waiting = { tenant: 'acme', sessionId: 'waiting' };
    await say(demoBaton(sqlite).baton, waiting, 'email carol@example.com Invoice');
    await sqlite.close();
    await cli(
      'sessions',
      'export',
      'waiting',
      '--tenant',
      'acme',
      '--db',
      'waiting.db',
      '-o',
      'waiting.jsonl',
    );
    await cli('sessions', 'import', 'waiting.jsonl', ...dynamoFlags, '--create');
    const shown = await cli('sessions', 'show', 'waiting', '--tenant', 'acme', ...dynamoFlags);
    const callId = /baton sessions approve waiting (\S+)/.exec(shown)?.[1];
    expect(callId).toBeDefined();
    await cli('sessions', 'approve', 'waiting', callId!, '--tenant', 'acme', ...dynamoFlags);
    // What the deployment's worker does once its sweeper or queue delivers the run.
    const store = dynamoStore();
    try {
      await resume(demoBaton(store).baton, waiting);
      expect((await store.readHead(waiting))?.toolState).toMatchObject({
        sent: ['carol@example.com: Invoice'],
      });
    } finally {
      await store.close();
    }
  });
});
