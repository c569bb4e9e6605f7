import { createHash } from 'node:crypto';
import {
  type MessageAttributeValue,
  SendMessageCommand,
  type SendMessageCommandInput,
  SQSClient,
  type SQSClientConfig,
} from '@aws-sdk/client-sqs';
import { type Clock, type RunMessage, type RunQueue, refKey, systemClock } from '@baton/core';
import { ATTRIBUTE } from './message-attributes.js';
import { QueueError } from './sqs-errors.js';

/** SQS's per-message delay limit; longer delays are carried in the body's `notBefore` and chained. */
export const MAX_DELAY_SECONDS = 900;

export interface SqsRunQueueOptions {
  /** Default: the `BATON_QUEUE_URL` environment variable. A URL ending in `.fifo` is a FIFO queue. */
  queueUrl?: string;
  /** A ready client (shared with the worker); otherwise one is made from `clientConfig`. */
  client?: SQSClient;
  clientConfig?: SQSClientConfig;
  /** Where `notBefore` times are read from; the app's clock. */
  clock?: Clock;
}

/**
 * Core's RunQueue on SQS. Delays up to 900 s use DelaySeconds; longer ones (and any delay on a FIFO
 * queue, which has no per-message delay) also carry `notBefore` in the body, which the app's
 * `deliver` honours by sending the message back until then. On a FIFO queue each session is one message group and the
 * run message's dedupe key is the deduplication id, so a repeated enqueue within SQS's 5-minute
 * window is dropped.
 *
 * @example
 * const queue = new SqsRunQueue({ queueUrl: process.env.BATON_QUEUE_URL });
 * const baton = createBaton({ store, agents, queue });
 */
export class SqsRunQueue implements RunQueue {
  readonly queueUrl: string;
  readonly client: SQSClient;
  readonly fifo: boolean;
  private readonly clock: Clock;

  constructor(options: SqsRunQueueOptions = {}) {
    const queueUrl = options.queueUrl ?? process.env.BATON_QUEUE_URL;
    if (!queueUrl) throw new Error('SqsRunQueue needs a queue URL: pass queueUrl or set BATON_QUEUE_URL');
    this.queueUrl = queueUrl;
    this.client = options.client ?? new SQSClient(options.clientConfig ?? {});
    this.fifo = queueUrl.endsWith('.fifo');
    this.clock = options.clock ?? systemClock;
  }

  async enqueue(message: RunMessage, options: { delayMs?: number } = {}): Promise<void> {
    const input = this.sendInput(message, Math.max(0, options.delayMs ?? 0));
    try {
      await this.client.send(new SendMessageCommand(input));
    } catch (error) {
      throw new QueueError('SendMessage', error);
    }
  }

  /** The SendMessage request for a message; public so tests and tools can see what is sent. */
  sendInput(message: RunMessage, delayMs: number): SendMessageCommandInput {
    const delaySeconds = Math.ceil(delayMs / 1000);
    const late = delaySeconds > 0 && (this.fifo || delaySeconds > MAX_DELAY_SECONDS);
    const body: RunMessage = late ? { ...message, notBefore: this.clock.now() + delayMs } : message;
    return {
      QueueUrl: this.queueUrl,
      MessageBody: JSON.stringify(body),
      MessageAttributes: {
        [ATTRIBUTE.tenant]: text(message.tenant),
        [ATTRIBUTE.session]: text(message.sessionId),
        [ATTRIBUTE.reason]: text(message.reason),
      },
      ...(this.fifo
        ? {
            // Hashed: both ids allow 128 characters of a restricted set; session ids allow any text.
            MessageGroupId: fifoGroupId(message),
            MessageDeduplicationId: sha256(message.dedupeKey),
          }
        : delaySeconds > 0
          ? { DelaySeconds: Math.min(delaySeconds, MAX_DELAY_SECONDS) }
          : {}),
    };
  }
}

/** One message group per session on a FIFO queue: SQS keeps a session's messages in order. */
export function fifoGroupId(ref: { tenant: string; sessionId: string }): string {
  return sha256(refKey(ref));
}

function text(value: string): MessageAttributeValue {
  return { DataType: 'String', StringValue: value };
}

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
