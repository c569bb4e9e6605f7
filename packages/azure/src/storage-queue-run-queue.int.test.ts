import { randomUUID } from 'node:crypto';
import type { RunMessage } from '@baton/core';
import { describe, expect, inject, it } from 'vitest';
import { StorageQueueRunQueue } from './storage-queue-run-queue.js';

const connectionString = inject('azuriteQueueConnection');

async function setup() {
  const queue = new StorageQueueRunQueue({ queueName: `runs-${randomUUID().slice(0, 8)}`, connectionString });
  await queue.createIfNotExists();
  return { queue };
}

describe('StorageQueueRunQueue', () => {
  it('sends base64 JSON that decodes to the message when the host reads it', async () => {
    const { queue } = await setup();
    const message: RunMessage = {
      v: 1,
      tenant: 'acme',
      sessionId: 'ümlaut/ü',
      reason: 'input',
      dedupeKey: 'k-1',
    };
    await queue.enqueue(message);
    const [item] = (await queue.client.receiveMessages()).receivedMessageItems;
    expect(item?.messageText).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(JSON.parse(Buffer.from(item!.messageText, 'base64').toString('utf8'))).toEqual(message);
  });

  it('hides a message until its delay is over when delayMs is given', async () => {
    const { queue } = await setup();
    await queue.enqueue(
      { v: 1, tenant: 'acme', sessionId: 's', reason: 'retry', dedupeKey: 'k' },
      { delayMs: 120_000 },
    );
    expect((await queue.client.peekMessages()).peekedMessageItems).toHaveLength(0);
    expect((await queue.client.getProperties()).approximateMessagesCount).toBe(1);
  });

  it('connects from app settings when AzureWebJobsStorage holds the connection string', async () => {
    const queueName = `env-${randomUUID().slice(0, 8)}`;
    const queue = StorageQueueRunQueue.fromEnvironment({
      AzureWebJobsStorage: connectionString,
      BATON_QUEUE_NAME: queueName,
    });
    await queue.createIfNotExists();
    await queue.enqueue({ v: 1, tenant: 'acme', sessionId: 's', reason: 'input', dedupeKey: 'k' });
    expect(queue.queueName).toBe(queueName);
    expect((await queue.client.peekMessages()).peekedMessageItems).toHaveLength(1);
  });
});
