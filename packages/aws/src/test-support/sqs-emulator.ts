import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { buildApp } from 'fauxqs';

/**
 * fauxqs (an in-process SQS emulator) on a free port of 127.0.0.1. It does not invoke Lambda, so
 * tests receive messages and turn them into the SQSEvent Lambda would pass, as `toSqsEvent` does.
 */
export interface SqsEmulator {
  endpoint: string;
  client: SQSClient;
  createQueue(name: string, attributes?: Record<string, string>): Promise<TestQueue>;
  /** Receives up to `max` messages (visibility `visibilitySeconds`) as one Lambda SQSEvent. */
  receiveEvent(queue: TestQueue, options?: { max?: number; visibilitySeconds?: number }): Promise<SQSEvent>;
  /** The queue's messages without touching them: ready, delayed and in flight. */
  inspect(queue: TestQueue): Promise<QueueContents>;
  stop(): Promise<void>;
}

export interface TestQueue {
  name: string;
  url: string;
  arn: string;
}

/** A message as fauxqs holds it; times are epoch ms of the real clock. */
export interface StoredMessage {
  messageId: string;
  body: string;
  messageAttributes?: Record<string, { StringValue?: string }>;
  sentTimestamp: number;
  delayUntil?: number;
}

export interface QueueContents {
  ready: StoredMessage[];
  delayed: StoredMessage[];
  inflight: { message: StoredMessage; receiptHandle: string; visibilityDeadline: number }[];
}

export async function startSqsEmulator(): Promise<SqsEmulator> {
  const app = buildApp({ logger: false });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  const client = new SQSClient({
    endpoint: address,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  return {
    endpoint: address,
    client,
    async createQueue(name, attributes = {}) {
      const created = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
      const url = created.QueueUrl!;
      const described = await client.send(
        new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
      );
      return { name, url, arn: described.Attributes!.QueueArn! };
    },
    async receiveEvent(queue, options = {}) {
      const received = await client.send(
        new ReceiveMessageCommand({
          QueueUrl: queue.url,
          MaxNumberOfMessages: options.max ?? 10,
          VisibilityTimeout: options.visibilitySeconds ?? 60,
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['All'],
        }),
      );
      return toSqsEvent(received.Messages ?? [], queue.arn);
    },
    async inspect(queue) {
      const response = await fetch(`${address}/_fauxqs/queues/${encodeURIComponent(queue.name)}`);
      const body = (await response.json()) as { messages: QueueContents };
      return body.messages;
    },
    async stop() {
      client.destroy();
      await app.close();
    },
  };
}

/** What Lambda's SQS event source mapping passes for received messages. */
export function toSqsEvent(messages: Message[], queueArn: string): SQSEvent {
  return { Records: messages.map((message) => toRecord(message, queueArn)) };
}

function toRecord(message: Message, queueArn: string): SQSRecord {
  const system = message.Attributes ?? {};
  const messageAttributes: SQSRecord['messageAttributes'] = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    messageAttributes[name] = {
      dataType: value.DataType ?? 'String',
      stringListValues: [],
      binaryListValues: [],
      ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined
        ? { binaryValue: Buffer.from(value.BinaryValue).toString('base64') }
        : {}),
    };
  }
  return {
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: system.ApproximateReceiveCount ?? '1',
      SentTimestamp: system.SentTimestamp ?? '0',
      SenderId: system.SenderId ?? '000000000000',
      ApproximateFirstReceiveTimestamp: system.ApproximateFirstReceiveTimestamp ?? '0',
      ...(system.MessageGroupId ? { MessageGroupId: system.MessageGroupId } : {}),
      ...(system.MessageDeduplicationId ? { MessageDeduplicationId: system.MessageDeduplicationId } : {}),
      ...(system.SequenceNumber ? { SequenceNumber: system.SequenceNumber } : {}),
    },
    messageAttributes,
    md5OfBody: message.MD5OfBody ?? '',
    ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: queueArn.split(':')[3] ?? 'us-east-1',
  };
}
