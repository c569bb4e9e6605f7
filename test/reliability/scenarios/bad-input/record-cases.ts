import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  type Baton,
  createBaton,
  handleHttp,
  isBatonError,
  newHead,
  type SessionRef,
  type SessionStore,
  silentLogger,
} from '@baton/core';
import type { CosmosStore } from '@baton/store-cosmos';
import Database from 'better-sqlite3';
import { writeRawSession } from '../../../../packages/store-cosmos/src/testing/raw-documents.js';
import { partitionKey } from '../../../../packages/store-dynamodb/src/keys.js';
import { writeRawRecords } from '../../../../packages/store-dynamodb/src/test-table.js';
import { writeRawRows } from '../../../../packages/store-sqlite/src/test-support.js';
import { ExecutionCounter } from '../../agent/reliability-agent.js';
import { singleTurnAgent } from '../../agent/single-turn-agent.js';
import type { StoreSpec } from '../../support/store-spec.js';
import type { Answer, BadInputCase } from './corpus.js';

interface RawFixture {
  ref: SessionRef;
  head: unknown;
  events: unknown[];
}

/** Writes records exactly as given, past the store's validation, the way each store lays them out. */
async function writeRaw(spec: StoreSpec, store: SessionStore, fixture: RawFixture): Promise<void> {
  if (spec.kind === 'sqlite') return writeRawRows(spec.path, fixture);
  if (spec.kind === 'cosmos') return writeRawSession(store as CosmosStore, fixture);
  const client = (
    store as unknown as { context: { client: import('@aws-sdk/client-dynamodb').DynamoDBClient } }
  ).context.client;
  await writeRawRecords({ client, tableName: spec.tableName }, fixture);
}

/** A head whose JSON does not parse at all, stored where the store keeps heads. */
async function writeUnparsableHead(spec: StoreSpec, store: SessionStore, ref: SessionRef): Promise<void> {
  if (spec.kind === 'sqlite') {
    const db = new Database(spec.path);
    db.prepare(
      'INSERT INTO heads (tenant, session_id, version, seq, status, updated_at, record) VALUES (?, ?, 1, 0, ?, 0, ?)',
    ).run(ref.tenant, ref.sessionId, 'idle', '{"v":2,"tenant":');
    db.close();
    return;
  }
  if (spec.kind === 'dynamodb') {
    const client = (
      store as unknown as { context: { client: import('@aws-sdk/client-dynamodb').DynamoDBClient } }
    ).context.client;
    await client.send(
      new PutItemCommand({
        TableName: spec.tableName,
        Item: {
          pk: { S: partitionKey(ref) },
          sk: { S: 'H' },
          data: { S: '{"v":2,"tenant":' },
          version: { N: '1' },
        },
      }),
    );
    return;
  }
  await writeRawSession(store as CosmosStore, { ref, head: 'not a head at all', events: [] });
}

/**
 * Records tampered with in the store: a head from a future schema, heads and events of the wrong
 * shape, JSON that does not parse, and (which must keep working) records of the previous schema.
 * Each is read through the HTTP route and through a queue delivery.
 */
export async function recordCases(
  spec: StoreSpec,
  store: SessionStore,
  tenant: string,
): Promise<BadInputCase[]> {
  const baton: Baton = createBaton({
    store,
    agents: [singleTurnAgent(new ExecutionCounter(), 'legacy-agent')],
    queue: { enqueue: async () => {} },
    clock: { now: () => Date.now() },
    logger: silentLogger,
  });
  const now = Date.now();
  const ref = (sessionId: string) => ({ tenant, sessionId });
  const base = {
    ...newHead(tenant, 'x', 'legacy-agent', now),
    version: 2,
    seq: 1,
    lastInputSeq: 1,
    processedSeq: 1,
  };
  const input = { v: 2, seq: 1, at: now, kind: 'input', text: 'hi', source: 'test' };
  const { summarySeq: _s, usage: _u, ...v1Head } = { ...base, sessionId: 'old-schema' };
  await writeRaw(spec, store, {
    ref: ref('future-head'),
    head: { ...base, sessionId: 'future-head', v: 99 },
    events: [input],
  });
  await writeRaw(spec, store, {
    ref: ref('typed-head'),
    head: { ...base, sessionId: 'typed-head', version: 'seven' },
    events: [input],
  });
  await writeRaw(spec, store, {
    ref: ref('bad-event'),
    head: { ...base, sessionId: 'bad-event' },
    events: [{ ...input, kind: 'teleport' }],
  });
  await writeRaw(spec, store, {
    ref: ref('old-schema'),
    head: { ...v1Head, v: 1 },
    events: [{ ...input, v: 1 }],
  });
  await writeUnparsableHead(spec, store, ref('unparsable-head'));

  const get = (sessionId: string) => async (): Promise<Answer> => {
    const response = await handleHttp(
      baton,
      {
        method: 'GET',
        path: `/sessions/${sessionId}`,
        query: new URLSearchParams(),
        headers: { 'x-baton-tenant': tenant },
        body: undefined,
      },
      { deadline: Date.now() + 30_000 },
    );
    return {
      status: response.status,
      code: (response.body.error as { code?: string } | undefined)?.code ?? 'ok',
    };
  };
  // A queue delivery: the error must say whether redelivering can help (it cannot).
  const deliver = (sessionId: string) => async (): Promise<Answer> => {
    try {
      const result = await baton.handle(
        { v: 1, tenant, sessionId, reason: 'input', dedupeKey: `tampered-${sessionId}` },
        { deadline: Date.now() + 30_000 },
      );
      return { code: `handled:${result.kind}` };
    } catch (error) {
      return {
        code: isBatonError(error)
          ? `${error.code}${error.retryable ? ':retryable' : ''}`
          : `unexpected ${(error as Error).name}`,
      };
    }
  };
  const cases: [name: string, expected: Answer, send: () => Promise<Answer>][] = [
    [
      'a head of a future schema, read over HTTP',
      { status: 500, code: 'schema_version' },
      get('future-head'),
    ],
    ['a head of a future schema, delivered from a queue', { code: 'schema_version' }, deliver('future-head')],
    ['a head of the wrong shape, read over HTTP', { status: 500, code: 'corrupt_record' }, get('typed-head')],
    ['a head of the wrong shape, delivered from a queue', { code: 'corrupt_record' }, deliver('typed-head')],
    [
      'an event of an unknown kind, read over HTTP',
      { status: 500, code: 'corrupt_record' },
      get('bad-event'),
    ],
    ['an event of an unknown kind, delivered from a queue', { code: 'corrupt_record' }, deliver('bad-event')],
    [
      'a head whose JSON does not parse, read over HTTP',
      { status: 500, code: 'corrupt_record' },
      get('unparsable-head'),
    ],
    [
      'a head whose JSON does not parse, delivered from a queue',
      { code: 'corrupt_record' },
      deliver('unparsable-head'),
    ],
    ['records of the previous schema, read over HTTP', { status: 200, code: 'ok' }, get('old-schema')],
  ];
  return cases.map(([name, expected, send]) => ({
    entry: 'store-record',
    name: `${spec.kind}: ${name}`,
    expected,
    send,
  }));
}
