import type { DequeuedMessageItem, QueueClient } from '@azure/storage-queue';
import type { AzureQueueHandler } from './queue-handlers.js';
import { invocationContext } from './test-fixtures.js';

export type DeliveryResult = 'completed' | 'released' | 'poisoned';

/**
 * What the Functions host's queue listener does with one message, for tests without the host:
 * decode base64 (host.json messageEncoding), hand the handler the text parsed as JSON when it is
 * JSON (the Node worker's `tryJsonParse`), with the trigger metadata the library camel-cases;
 * delete the message when the handler resolves; when it throws, move it to `<queue>-poison` once
 * dequeueCount reached maxDequeueCount, else make it visible again (host.json visibilityTimeout,
 * 0 here so the test need not wait).
 */
export class QueueHostEmulation {
  /** What the handlers logged through their invocation context, oldest first. */
  readonly logs: { level: string; args: unknown[] }[] = [];

  constructor(
    private readonly client: QueueClient,
    private readonly handler: AzureQueueHandler,
    private readonly maxDequeueCount: number,
    private readonly poison?: QueueClient,
  ) {}

  /** Receives the next visible message, if any, leasing it for 5 minutes like the host. */
  async receive(): Promise<DequeuedMessageItem | undefined> {
    const response = await this.client.receiveMessages({ numberOfMessages: 1, visibilityTimeout: 300 });
    return response.receivedMessageItems[0];
  }

  /** Delivers every visible message, including the ones handlers enqueue meanwhile; returns how many. */
  async drain(limit = 20): Promise<DeliveryResult[]> {
    const results: DeliveryResult[] = [];
    for (let item = await this.receive(); item; item = await this.receive()) {
      results.push(await this.deliver(item));
      if (results.length >= limit) throw new Error(`still draining after ${limit} deliveries`);
    }
    return results;
  }

  /** One invocation for `item`, as the host would run it; `dequeueCount` overrides the item's for redelivery tests. */
  async invoke(item: DequeuedMessageItem, dequeueCount = item.dequeueCount): Promise<void> {
    const text = Buffer.from(item.messageText, 'base64').toString('utf8');
    const context = invocationContext({
      triggerMetadata: {
        id: item.messageId,
        dequeueCount,
        popReceipt: item.popReceipt,
        insertionTime: item.insertedOn.toISOString(),
        expirationTime: item.expiresOn.toISOString(),
        nextVisibleTime: item.nextVisibleOn.toISOString(),
        queueTrigger: text,
      },
      logHandler: (level, ...args) => void this.logs.push({ level, args }),
    });
    await this.handler(tryJsonParse(text), context);
  }

  /** One delivery and what the host does after it; `dequeueCount` as in `invoke`. */
  async deliver(item: DequeuedMessageItem, dequeueCount = item.dequeueCount): Promise<DeliveryResult> {
    try {
      await this.invoke(item, dequeueCount);
    } catch {
      if (dequeueCount >= this.maxDequeueCount && this.poison) {
        await this.poison.createIfNotExists();
        await this.poison.sendMessage(item.messageText, { messageTimeToLive: -1 });
        await this.client.deleteMessage(item.messageId, item.popReceipt);
        return 'poisoned';
      }
      await this.client.updateMessage(item.messageId, item.popReceipt, undefined, 0);
      return 'released';
    }
    await this.client.deleteMessage(item.messageId, item.popReceipt);
    return 'completed';
  }
}

function tryJsonParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
