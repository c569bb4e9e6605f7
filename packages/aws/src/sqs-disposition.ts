import {
  ChangeMessageVisibilityCommand,
  type MessageAttributeValue,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Disposition, Logger } from '@baton/core';
import type { SQSRecord } from 'aws-lambda';
import { ATTRIBUTE } from './message-attributes.js';
import { MAX_DELAY_SECONDS } from './sqs-run-queue.js';

/** done: Lambda deletes the message. failed: reported in batchItemFailures, so SQS delivers it again. */
export type RecordOutcome = 'done' | 'failed';

/** SQS's limit for ChangeMessageVisibility. */
const MAX_VISIBILITY_SECONDS = 43_200;
/** SQS allows ten attributes per message; the reason's come first so it always fits. */
const MAX_ATTRIBUTES = 10;
const MAX_REASON_CHARS = 1_000;

export interface SqsTarget {
  client: SQSClient;
  /** The record's own queue. */
  queueUrl: string;
  /** Where dead-lettered messages go with their reason; without one, the redrive policy moves them. */
  deadLetterQueueUrl: string | undefined;
  logger: Logger;
  /** The app's clock, for a `notBefore` past SQS's 900 s delay. */
  now: () => number;
  /** Called before the record's visibility is set, so a visibility heartbeat cannot overwrite it. */
  beforeVisibilityChange?: () => Promise<void>;
}

/**
 * What the app decided for a message, done with SQS's calls:
 * - done: deleted (not reported).
 * - retry that uses an attempt: visible again after the delay (ChangeMessageVisibility), reported.
 * - retry that must not use one (a busy session): a copy is sent with the delay and the original
 *   deleted, since every receive counts toward the redrive policy's maxReceiveCount and the copy's
 *   count starts again at 1. FIFO queues have no per-message delay, so there the original is held
 *   back instead (and the hold-back counts).
 * - dead_letter: sent to the DLQ with the reason as attributes and deleted; without a DLQ, reported
 *   so the redrive policy moves it.
 *
 * @example
 * const outcome = await applyDisposition(record, await app.deliver(record.body, options), target);
 */
export async function applyDisposition(
  record: SQSRecord,
  disposition: Disposition,
  target: SqsTarget,
): Promise<RecordOutcome> {
  if (disposition.action === 'done') return 'done';
  if (disposition.action === 'dead_letter') return deadLetter(record, disposition, target);
  if (disposition.consumesAttempt || target.queueUrl.endsWith('.fifo')) {
    return holdBack(record, disposition.delayMs, target);
  }
  try {
    await target.client.send(new SendMessageCommand(copyInput(record, disposition.delayMs, target)));
    return 'done';
  } catch (error) {
    target.logger.warn('could not re-send the message; holding it back instead', { error });
    return holdBack(record, disposition.delayMs, target);
  }
}

function copyInput(record: SQSRecord, delayMs: number, target: SqsTarget) {
  const seconds = Math.max(0, Math.ceil(delayMs / 1000));
  return {
    QueueUrl: target.queueUrl,
    MessageBody:
      seconds > MAX_DELAY_SECONDS ? withNotBefore(record.body, target.now() + delayMs) : record.body,
    MessageAttributes: copiedAttributes(record, {}),
    DelaySeconds: Math.min(MAX_DELAY_SECONDS, seconds),
  };
}

function withNotBefore(body: string, notBefore: number): string {
  try {
    return JSON.stringify({ ...JSON.parse(body), notBefore });
  } catch {
    return body;
  }
}

async function holdBack(record: SQSRecord, delayMs: number, target: SqsTarget): Promise<RecordOutcome> {
  const seconds = Math.min(MAX_VISIBILITY_SECONDS, Math.max(0, Math.ceil(delayMs / 1000)));
  await target.beforeVisibilityChange?.();
  try {
    await target.client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: target.queueUrl,
        ReceiptHandle: record.receiptHandle,
        VisibilityTimeout: seconds,
      }),
    );
  } catch (error) {
    // It still comes back, after the queue's visibility timeout instead.
    target.logger.warn('could not change the message visibility', { error, seconds });
  }
  return 'failed';
}

async function deadLetter(
  record: SQSRecord,
  reason: { code: string; message: string },
  target: SqsTarget,
): Promise<RecordOutcome> {
  const queueUrl = target.deadLetterQueueUrl;
  if (!queueUrl) return 'failed';
  const attributes = copiedAttributes(record, {
    [ATTRIBUTE.errorCode]: text(reason.code),
    [ATTRIBUTE.errorMessage]: text(reason.message.slice(0, MAX_REASON_CHARS)),
    [ATTRIBUTE.sourceMessageId]: text(record.messageId),
  });
  try {
    await target.client.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        // SQS rejects an empty body; a malformed message may well have one.
        MessageBody: record.body === '' ? '(empty body)' : record.body,
        MessageAttributes: attributes,
        ...(queueUrl.endsWith('.fifo')
          ? {
              MessageGroupId: record.attributes?.MessageGroupId ?? 'dead-letter',
              MessageDeduplicationId: record.messageId,
            }
          : {}),
      }),
    );
    return 'done';
  } catch (error) {
    target.logger.error('could not dead-letter the message; it is left to the redrive policy', { error });
    return 'failed';
  }
}

/** `first`, then the record's own attributes as far as SQS's limit allows. */
function copiedAttributes(
  record: SQSRecord,
  first: Record<string, MessageAttributeValue>,
): Record<string, MessageAttributeValue> {
  const attributes = { ...first };
  for (const [name, value] of Object.entries(record.messageAttributes ?? {})) {
    if (Object.keys(attributes).length >= MAX_ATTRIBUTES) break;
    if (name in attributes) continue;
    if (value.stringValue !== undefined) {
      attributes[name] = { DataType: value.dataType, StringValue: value.stringValue };
    } else if (value.binaryValue !== undefined) {
      attributes[name] = { DataType: value.dataType, BinaryValue: Buffer.from(value.binaryValue, 'base64') };
    }
  }
  return attributes;
}

function text(value: string): MessageAttributeValue {
  return { DataType: 'String', StringValue: value };
}
