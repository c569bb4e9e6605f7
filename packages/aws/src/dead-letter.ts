import { type MessageAttributeValue, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { ATTRIBUTE } from './run-message.js';
import { QueueError } from './sqs-errors.js';

/** SQS allows ten attributes per message; ours come first so the reason always fits. */
const MAX_ATTRIBUTES = 10;
const MAX_REASON_CHARS = 1_000;

export interface PoisonReason {
  code: string;
  message: string;
}

/**
 * Sends a message that can never succeed to the dead-letter queue with the reason as attributes
 * (`baton-error-code`, `baton-error-message`, `baton-source-message-id`), keeping its body and
 * attributes so it can be redriven once the cause is fixed.
 *
 * @example
 * await sendToDeadLetterQueue(client, dlqUrl, record, { code: 'malformed_message', message: 'the body is not JSON' });
 */
export async function sendToDeadLetterQueue(
  client: SQSClient,
  queueUrl: string,
  record: SQSRecord,
  reason: PoisonReason,
): Promise<void> {
  const attributes: Record<string, MessageAttributeValue> = {
    [ATTRIBUTE.errorCode]: { DataType: 'String', StringValue: reason.code },
    [ATTRIBUTE.errorMessage]: { DataType: 'String', StringValue: reason.message.slice(0, MAX_REASON_CHARS) },
    [ATTRIBUTE.sourceMessageId]: { DataType: 'String', StringValue: record.messageId },
  };
  for (const [name, value] of Object.entries(record.messageAttributes ?? {})) {
    if (Object.keys(attributes).length >= MAX_ATTRIBUTES) break;
    if (name in attributes) continue;
    const copied = copyAttribute(value);
    if (copied) attributes[name] = copied;
  }
  const fifo = queueUrl.endsWith('.fifo');
  try {
    await client.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        // SQS rejects an empty body; a malformed message may well have one.
        MessageBody: record.body === '' ? '(empty body)' : record.body,
        MessageAttributes: attributes,
        ...(fifo
          ? {
              MessageGroupId: record.attributes?.MessageGroupId ?? 'dead-letter',
              MessageDeduplicationId: record.messageId,
            }
          : {}),
      }),
    );
  } catch (error) {
    throw new QueueError('SendMessage (dead-letter queue)', error);
  }
}

function copyAttribute(value: SQSRecord['messageAttributes'][string]): MessageAttributeValue | null {
  if (value.stringValue !== undefined) return { DataType: value.dataType, StringValue: value.stringValue };
  if (value.binaryValue !== undefined) {
    return { DataType: value.dataType, BinaryValue: Buffer.from(value.binaryValue, 'base64') };
  }
  return null;
}
