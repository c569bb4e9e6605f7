import { randomUUID } from 'node:crypto';
import { SQSClient, type SQSClientConfig } from '@aws-sdk/client-sqs';
import { type Baton, refKey } from '@baton/core';
import type { SlackChannel } from '@baton/slack';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { withLogFields } from './invocation-log.js';
import { DEFAULT_SAFETY_MARGIN_MS, DEFAULT_TIMEOUT_EARLY_MS, invocationDeadline } from './lambda-deadline.js';
import { isFifoSource, queueUrlFromArn } from './queue-url.js';
import { type ParsedRecord, parseRunRecord } from './run-message.js';
import { runBatch } from './sqs-batch.js';
import { processRecord } from './sqs-record.js';
import { SqsRunQueue } from './sqs-run-queue.js';

export interface SqsWorkerOptions {
  /** Kept free before Lambda's deadline for the last commit and the batch response. */
  safetyMarginMs?: number;
  /** middy's last-resort timeout before Lambda's deadline (the whole batch then comes back). */
  timeoutEarlyMs?: number;
  /** Sessions run in parallel, at most this many at a time. Default 10. */
  concurrency?: number;
  /**
   * Poison messages (malformed, or failed in a way no retry can fix) are sent here with their
   * reason and deleted (createLambdaHandlers reads `BATON_DLQ_URL`). Without one they are reported failed, and the
   * queue's redrive policy moves them to its DLQ after maxReceiveCount; the reason is in the logs
   * and, for a run that failed, on the session.
   */
  deadLetterQueueUrl?: string;
  /** For ChangeMessageVisibility and dead-lettering. Default: the SqsRunQueue's client, else a new one. */
  client?: SQSClient;
  clientConfig?: SQSClientConfig;
  /** The URL of a record's queue. Default: derived from the record's eventSourceARN. */
  queueUrl?: string | ((eventSourceArn: string) => string);
  /** Runs Slack sessions through the channel (placeholder, answer, approval buttons); others as usual. */
  slack?: SlackChannel;
}

export type SqsWorker = middy.MiddyfiedHandler<SQSEvent, SQSBatchResponse>;

/**
 * The SQS worker: each record is a run message; one session's records run one after another,
 * different sessions in parallel, and the response lists only the records SQS should deliver
 * again (ReportBatchItemFailures must be enabled on the event source mapping).
 *
 * @example
 * export const handler = createSqsWorker(baton, { deadLetterQueueUrl: process.env.BATON_DLQ_URL });
 */
export function createSqsWorker(baton: Baton, options: SqsWorkerOptions = {}): SqsWorker {
  const client =
    options.client ??
    (baton.queue instanceof SqsRunQueue ? baton.queue.client : new SQSClient(options.clientConfig ?? {}));
  const queueUrl = options.queueUrl;
  const queueUrlOf = typeof queueUrl === 'function' ? queueUrl : queueUrl ? () => queueUrl : queueUrlFromArn;
  const deadLetterQueueUrl = options.deadLetterQueueUrl;
  const safetyMarginMs = options.safetyMarginMs ?? DEFAULT_SAFETY_MARGIN_MS;

  const processEvent = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const records = validRecords(event, baton);
    const invocationId = context?.awsRequestId ?? randomUUID();
    const recordContext = {
      baton,
      client,
      invocationId,
      queueUrlOf,
      deadLetterQueueUrl,
      slack: options.slack,
      deadline: () => invocationDeadline(context, baton.clock, { safetyMarginMs }),
    };
    const items = records.map((record) => {
      const parsed: ParsedRecord = parseRunRecord(record);
      return {
        id: record.messageId,
        group: parsed.ok ? refKey(parsed.ref) : `unparsed:${record.messageId}`,
        record,
        parsed,
      };
    });
    const failed = await runBatch(
      items,
      (item) =>
        withLogFields(
          { messageId: item.id, ...(item.parsed.ok ? { session: refKey(item.parsed.ref) } : {}) },
          () => processRecord(item.record, item.parsed, recordContext),
        ),
      {
        fifo: records.some((record) => isFifoSource(record.eventSourceARN)),
        concurrency: options.concurrency ?? 10,
      },
    );
    baton.logger.info('batch processed', { records: records.length, failed: failed.length });
    return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
  };

  return middy<SQSEvent, SQSBatchResponse>({
    timeoutEarlyInMillis: options.timeoutEarlyMs ?? DEFAULT_TIMEOUT_EARLY_MS,
  }).handler((event, context) =>
    withLogFields({ invocation: context?.awsRequestId }, () => processEvent(event, context)),
  );
}

/** Records we can report on; anything else in the event is logged, since it has no id to report. */
function validRecords(event: SQSEvent, baton: Baton): SQSRecord[] {
  const records: unknown[] = Array.isArray(event?.Records) ? event.Records : [];
  if (!Array.isArray(event?.Records)) baton.logger.error('not an SQS event; nothing to process');
  return records.filter((record): record is SQSRecord => {
    const candidate = record as Partial<SQSRecord> | null;
    const ok =
      typeof candidate?.messageId === 'string' &&
      typeof candidate.body === 'string' &&
      typeof candidate.receiptHandle === 'string' &&
      typeof candidate.eventSourceARN === 'string';
    if (!ok)
      baton.logger.error('SQS record without messageId, body, receiptHandle or eventSourceARN; skipped');
    return ok;
  });
}
