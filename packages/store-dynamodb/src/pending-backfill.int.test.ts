import { GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import {
  createBatonApp,
  defineAgent,
  defineBaton,
  type Head,
  type RunMessage,
  type SessionRef,
  silentLogger,
} from '@baton/core';
import { newHead } from '@baton/core/store';
import { ScriptedModel } from '@baton/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoStore } from './dynamo-store.js';
import { HEAD_SK, partitionKey } from './keys.js';
import { backfillPendingIndex, type PendingBackfillProgress } from './pending-backfill.js';
import { headItemAttributes } from './records.js';
import { ATTRIBUTES } from './table.js';
import { freshTable, type TestTable } from './test-table.js';

const AT = Date.UTC(2026, 0, 1);

/** Sessions as an older Baton left them: every state the sweeper must tell apart. */
const FIXTURE: { id: string; pending: boolean; shape: (head: Head) => Head }[] = [
  { id: 'running-1', pending: true, shape: (head) => ({ ...head, status: 'running' }) },
  { id: 'running-2', pending: true, shape: (head) => ({ ...head, status: 'running' }) },
  {
    id: 'decided',
    pending: true,
    shape: (head) => ({ ...head, status: 'waiting_approval', seq: 4, lastInputSeq: 4, processedSeq: 3 }),
  },
  {
    id: 'awaiting',
    pending: false,
    shape: (head) => ({ ...head, status: 'waiting_approval', seq: 3, lastInputSeq: 2, processedSeq: 3 }),
  },
  { id: 'failed', pending: false, shape: (head) => ({ ...head, status: 'failed' }) },
  ...Array.from({ length: 5 }, (_, index) => ({
    id: `idle-${index}`,
    pending: false,
    shape: (head: Head) => head,
  })),
];

const refOf = (id: string): SessionRef => ({
  tenant: id.startsWith('idle') ? 'globex' : 'acme',
  sessionId: id,
});
const keyOf = (ref: SessionRef) => `${ref.tenant}/${ref.sessionId}`;
const PENDING = FIXTURE.filter((entry) => entry.pending).map((entry) => keyOf(refOf(entry.id)));

describe('backfillPendingIndex on DynamoDB Local', () => {
  let table: TestTable;
  let store: DynamoStore;

  beforeAll(async () => {
    table = await freshTable(inject('dynamodbEndpoint'));
    store = new DynamoStore({ client: table.client, tableName: table.tableName });
  });
  afterAll(() => table.drop());

  /** Commits the fixture through the store, then takes the marker off, as heads written before the index. */
  async function writeOldShape(prefix: string): Promise<Map<string, Head>> {
    const heads = new Map<string, Head>();
    for (const entry of FIXTURE) {
      const ref = { ...refOf(entry.id), sessionId: `${prefix}-${entry.id}` };
      const head = entry.shape({ ...newHead(ref.tenant, ref.sessionId, 'helper', AT), version: 1 });
      await store.commit({ ref, expectedVersion: null, head, events: [] });
      await removeMarker(ref);
      heads.set(keyOf(ref), head);
    }
    return heads;
  }

  async function removeMarker(ref: SessionRef): Promise<void> {
    await table.client.send(
      new UpdateItemCommand({
        TableName: table.tableName,
        Key: marshall({ pk: partitionKey(ref), sk: HEAD_SK }),
        UpdateExpression: 'REMOVE #ppk, #psk',
        ExpressionAttributeNames: { '#ppk': ATTRIBUTES.pendingPk, '#psk': ATTRIBUTES.pendingSk },
      }),
    );
  }

  async function rawHead(ref: SessionRef): Promise<Record<string, unknown>> {
    const { Item } = await table.client.send(
      new GetItemCommand({
        TableName: table.tableName,
        Key: marshall({ pk: partitionKey(ref), sk: HEAD_SK }),
        ConsistentRead: true,
      }),
    );
    return unmarshall(Item!);
  }

  async function pendingKeys(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.listPending({ limit: 3, ...(cursor ? { cursor } : {}) });
      keys.push(...page.sessions.map(keyOf));
      cursor = page.cursor;
    } while (cursor);
    return keys.filter((key) => key.includes(`/${prefix}-`)).sort();
  }

  /** What the app's sweep enqueues: the sessions it found stalled. */
  async function sweep(prefix: string): Promise<string[]> {
    const enqueued: RunMessage[] = [];
    const app = createBatonApp(
      defineBaton({
        agents: [defineAgent({ name: 'helper', instructions: 'Help.', model: new ScriptedModel([]) })],
        auth: 'none',
      }),
      {
        store,
        queue: { enqueue: async (message) => void enqueued.push(message) },
        logger: silentLogger,
        env: {},
      },
    );
    await app.baton.sweep({ idleForMs: 0 });
    return enqueued
      .map((message) => keyOf(message))
      .filter((key) => key.includes(`/${prefix}-`))
      .sort();
  }

  const expected = (prefix: string) => PENDING.map((key) => key.replace('/', `/${prefix}-`)).sort();

  it('makes exactly the pending sessions of an old table visible to the sweep, and a second run writes nothing', async () => {
    const heads = await writeOldShape('a');
    expect(await sweep('a')).toEqual([]);

    const first = await backfillPendingIndex(table.client, table.tableName, { pageSize: 4 });
    expect(first).toMatchObject({ pending: 3, marked: 3, alreadyMarked: 0, movedOn: 0, unreadable: 0 });
    expect(first.resumeToken).toBeUndefined();
    expect(first.headsRead).toBe(FIXTURE.length);
    expect(await pendingKeys('a')).toEqual(expected('a'));
    expect(await sweep('a')).toEqual(expected('a'));

    // The marker is the one a commit writes, and nothing else of the head changed.
    for (const [key, head] of heads) {
      const ref = { tenant: head.tenant, sessionId: head.sessionId };
      const stored = await rawHead(ref);
      const written = unmarshall(headItemAttributes(ref, head));
      expect(stored, key).toEqual(written);
    }

    const before = await Promise.all([...heads.values()].map((head) => rawHead(head)));
    const second = await backfillPendingIndex(table.client, table.tableName, { pageSize: 4 });
    expect(second).toMatchObject({ pending: 3, marked: 0, alreadyMarked: 3, movedOn: 0 });
    expect(await Promise.all([...heads.values()].map((head) => rawHead(head)))).toEqual(before);
  });

  it('leaves a head a commit moved on between its read and its write to that commit', async () => {
    const heads = await writeOldShape('b');
    const settles = heads.get('acme/b-running-1')!;
    const oldWriter = heads.get('acme/b-running-2')!;
    // Each commit lands just before the backfill's write to that head: one settles the session
    // (the sweep must not see it), one comes from a writer that predates the index (no marker).
    const racing = {
      send: async (command: { input: { Key?: Record<string, unknown> } }) => {
        if (command instanceof UpdateItemCommand) {
          const pk = unmarshall(command.input.Key!).pk;
          if (pk === partitionKey(settles)) {
            await store.commit({
              ref: settles,
              expectedVersion: 1,
              head: { ...settles, version: 2, status: 'idle' },
              events: [],
            });
          }
          if (pk === partitionKey(oldWriter)) {
            await store.commit({
              ref: oldWriter,
              expectedVersion: 1,
              head: { ...oldWriter, version: 2, runSteps: 1 },
              events: [],
            });
            await removeMarker(oldWriter);
          }
        }
        return table.client.send(command as never);
      },
    } as unknown as typeof table.client;

    const progress = await backfillPendingIndex(racing, table.tableName);
    expect(progress).toMatchObject({ marked: 1, movedOn: 2 });
    expect(await rawHead(settles)).not.toHaveProperty(ATTRIBUTES.pendingPk);
    expect(await pendingKeys('b')).toEqual(['acme/b-decided']);

    // The old writer's head is still pending: the next run marks it.
    const again = await backfillPendingIndex(table.client, table.tableName);
    expect(again).toMatchObject({ marked: 1, movedOn: 0 });
    expect(await pendingKeys('b')).toEqual(['acme/b-decided', 'acme/b-running-2']);
    expect((await rawHead(oldWriter))[ATTRIBUTES.version]).toBe(2);
  });

  it('resumes from the token of a bounded run and marks each head once', async () => {
    await writeOldShape('c');
    const seen: PendingBackfillProgress[] = [];
    const bounded = await backfillPendingIndex(table.client, table.tableName, {
      pageSize: 5,
      maxPages: 2,
      onPage: (progress) => seen.push(progress),
    });
    expect(bounded.pages).toBe(2);
    expect(seen.map((progress) => progress.pages)).toEqual([1, 2]);
    expect(seen.map((progress) => progress.resumeToken)).toEqual([expect.any(String), bounded.resumeToken]);
    expect(bounded.resumeToken).toEqual(expect.any(String));

    let marked = bounded.marked;
    let token = bounded.resumeToken;
    let runs = 1;
    while (token) {
      const next = await backfillPendingIndex(table.client, table.tableName, {
        pageSize: 5,
        maxPages: 2,
        startKey: token,
      });
      marked += next.marked;
      token = next.resumeToken;
      runs++;
    }
    expect(runs).toBeGreaterThan(1);
    expect(marked).toBe(3);
    expect(await pendingKeys('c')).toEqual(expected('c'));
  });

  it('refuses a token it did not print', async () => {
    await expect(
      backfillPendingIndex(table.client, table.tableName, { startKey: 'not-a-token' }),
    ).rejects.toThrow(/resume token/);
  });
});
