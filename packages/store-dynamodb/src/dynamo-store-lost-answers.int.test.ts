import { randomUUID } from 'node:crypto';
import { StoreUnavailableError } from '@baton/core';
import { injectDynamoFaults } from '@baton/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoStore } from './dynamo-store.js';
import { append, appendRequest } from './test-sessions.js';
import { freshTable, localClient, type TestTable } from './test-table.js';

let table: TestTable;

beforeAll(async () => {
  table = await freshTable(inject('dynamodbEndpoint'));
});

afterAll(async () => {
  await table?.drop();
});

/**
 * A commit whose write reached DynamoDB but whose answer was lost (a dropped connection, a 500).
 * Checked by the reliability suite (issue 7): the SDK retries TransactWriteItems with the same
 * ClientRequestToken, which DynamoDB answers as the success it was; a retry that met its own write
 * as a failed condition would be reported as a conflict, and a writer that rebases would append
 * the step a second time.
 */
describe('DynamoStore when a commit answer is lost', () => {
  for (const kind of ['reset', 'server-error'] as const) {
    it(`lands the commit once and succeeds when the SDK retries after a lost answer (${kind})`, async () => {
      const client = localClient(inject('dynamodbEndpoint'), { maxAttempts: 3 });
      const store = new DynamoStore({ client, tableName: table.tableName });
      const ref = { tenant: 'acme', sessionId: randomUUID() };
      const head = await append(store, ref, null, ['first']);
      const plan = injectDynamoFaults(client, {
        rate: 1,
        limit: 1,
        kinds: [kind],
        commands: ['TransactWriteItemsCommand'],
      });
      const request = appendRequest(ref, head, ['second']);

      await store.commit(request);
      plan.disable();

      expect(plan.injected).toEqual([{ operation: 'TransactWriteItemsCommand', kind, timing: 'after' }]);
      expect((await store.readEvents(ref)).map((event) => event.kind === 'input' && event.text)).toEqual([
        'first',
        'second',
      ]);
      expect(await store.readHead(ref)).toEqual(request.head);
      client.destroy();
    });
  }

  it('reports an unknown outcome, not a conflict, when the SDK may not retry', async () => {
    const client = localClient(inject('dynamodbEndpoint'), { maxAttempts: 1 });
    const store = new DynamoStore({ client, tableName: table.tableName });
    const ref = { tenant: 'acme', sessionId: randomUUID() };
    const head = await append(store, ref, null, ['first']);
    const plan = injectDynamoFaults(client, {
      rate: 1,
      limit: 1,
      kinds: ['reset'],
      commands: ['TransactWriteItemsCommand'],
    });

    const error = await store.commit(appendRequest(ref, head, ['second'])).catch((caught: unknown) => caught);
    plan.disable();

    // The write landed; the store cannot know, so it says "unknown", which a writer must not rebase on.
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((await store.readEvents(ref)).length).toBe(2);
    client.destroy();
  });
});
