import type { TokenCredential } from '@azure/core-auth';
import type { QueueClient } from '@azure/storage-queue';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_QUEUE_NAME,
  delaySeconds,
  MAX_DELAY_MS,
  StorageQueueRunQueue,
  storageConnectionSetting,
} from './storage-queue-run-queue.js';

const credential: TokenCredential = { getToken: async () => ({ token: 'token', expiresOnTimestamp: 0 }) };
const DEV = 'UseDevelopmentStorage=true';

describe('delaySeconds', () => {
  it('rounds up to whole seconds so a message never returns before its delay', () => {
    expect(delaySeconds(undefined)).toBe(0);
    expect(delaySeconds(0)).toBe(0);
    expect(delaySeconds(1)).toBe(1);
    expect(delaySeconds(30_250)).toBe(31);
  });

  it('caps the delay at the 7 days storage queues allow', () => {
    expect(delaySeconds(30 * 24 * 3600 * 1000)).toBe(604_800);
    expect(delaySeconds(Number.POSITIVE_INFINITY)).toBe(604_800);
  });
});

describe('storageConnectionSetting', () => {
  it('names BATON_STORAGE_CONNECTION when it is configured in any form', () => {
    expect(storageConnectionSetting({ BATON_STORAGE_CONNECTION: DEV, AzureWebJobsStorage: DEV })).toBe(
      'BATON_STORAGE_CONNECTION',
    );
    expect(storageConnectionSetting({ BATON_STORAGE_CONNECTION__accountName: 'acct' })).toBe(
      'BATON_STORAGE_CONNECTION',
    );
  });

  it('names the host storage when nothing of its own is configured', () => {
    expect(storageConnectionSetting({ AzureWebJobsStorage: DEV })).toBe('AzureWebJobsStorage');
  });
});

describe('StorageQueueRunQueue.fromEnvironment', () => {
  it('uses the default queue name when BATON_QUEUE_NAME is not set', () => {
    expect(StorageQueueRunQueue.fromEnvironment({ AzureWebJobsStorage: DEV }).queueName).toBe(
      DEFAULT_QUEUE_NAME,
    );
  });

  it('addresses the account by URL when the connection is identity-based', () => {
    const queue = StorageQueueRunQueue.fromEnvironment(
      { AzureWebJobsStorage__accountName: 'batonacct', BATON_QUEUE_NAME: 'runs' },
      { credential },
    );
    expect(queue.client.url).toBe('https://batonacct.queue.core.windows.net/runs');
    const byUri = StorageQueueRunQueue.fromEnvironment(
      { BATON_STORAGE_CONNECTION__queueServiceUri: 'https://other.queue.core.windows.net/' },
      { credential },
    );
    expect(byUri.client.url).toBe(`https://other.queue.core.windows.net/${DEFAULT_QUEUE_NAME}`);
  });

  it('throws a clear error when no connection or no credential is configured', () => {
    expect(() => StorageQueueRunQueue.fromEnvironment({})).toThrow(/set AzureWebJobsStorage/);
    expect(() => StorageQueueRunQueue.fromEnvironment({ AzureWebJobsStorage__accountName: 'acct' })).toThrow(
      /needs a credential/,
    );
  });
});

describe('StorageQueueRunQueue.enqueue', () => {
  it('writes when the message is due into its body when the delay is longer than a queue can hide it', async () => {
    const sent: { text: string; visibilityTimeout: number | undefined }[] = [];
    const client = {
      sendMessage: async (text: string, options: { visibilityTimeout?: number }) =>
        void sent.push({ text, visibilityTimeout: options.visibilityTimeout }),
    } as unknown as QueueClient;
    const queue = new StorageQueueRunQueue({ client });
    const message = { v: 1, tenant: 'acme', sessionId: 's', reason: 'retry', dedupeKey: 'k' } as const;
    const before = Date.now();
    await queue.enqueue(message, { delayMs: MAX_DELAY_MS + 60_000 });
    await queue.enqueue(message, { delayMs: 60_000 });
    const bodies = sent.map((entry) => JSON.parse(Buffer.from(entry.text, 'base64').toString('utf8')));
    expect(sent.map((entry) => entry.visibilityTimeout)).toEqual([MAX_DELAY_MS / 1000, 60]);
    expect(bodies[0].notBefore).toBeGreaterThanOrEqual(before + MAX_DELAY_MS + 60_000);
    expect(bodies[1]).toEqual(message);
  });
});
