import { randomUUID } from 'node:crypto';
import { SQSClient } from '@aws-sdk/client-sqs';
import { type BatonApp, type Logger, parseRunMessage, refKey } from '@baton/core';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { withLogFields } from './invocation-log.js';
import { DEFAULT_SAFETY_MARGIN_MS, DEFAULT_TIMEOUT_EARLY_MS, invocationDeadline } from './lambda-deadline.js';
import { isFifoSource, queueUrlFromArn } from './queue-url.js';
import { sdkClientConfig } from './sdk-client-config.js';
import { runBatch } from './sqs-batch.js';
import { applyDisposition } from './sqs-disposition.js';
import { SqsRunQueue } from './sqs-run-queue.js';
import {
  startVisibilityHeartbeat,
  type VisibilityHeartbeat,
  type VisibilityHeartbeatOptions,
} from './sqs-visibility-heartbeat.js';

export interface SqsWorkerOptions {
  /**
   * The queue's redrive policy `maxReceiveCount`: the app records a failure a retry could fix on
   * the last delivery instead of leaving it to the redrive policy unrecorded.
   */
  maxAttempts: number;
  /**
   * Dead-lettered messages are sent here with their reason and deleted. Without one they are
   * reported failed, and the redrive policy moves them after maxReceiveCount.
   */
  deadLetterQueueUrl?: string;
  /** Kept free before Lambda's deadline for the last commit and the batch response. */
  safetyMarginMs?: number;
  /** middy's last-resort timeout before Lambda's deadline (the whole batch then comes back). */
  timeoutEarlyMs?: number;
  /** Sessions run in parallel, at most this many at a time. Default 10. */
  concurrency?: number;
  /** For ChangeMessageVisibility and sends. Default: the app's SqsRunQueue client, else a new one. */
  client?: SQSClient;
  /** The URL of a record's queue. Default: derived from the record's eventSourceARN. */
  queueUrl?: string | ((eventSourceArn: string) => string);
  /**
   * Records are kept hidden in short steps while the invocation holds them (default: 30 s, renewed
   * every 10 s), so a worker that dies has its records back within 30 s rather than after the
   * queue's visibility timeout. `BATON_VISIBILITY_SECONDS` sets visibilitySeconds on Lambda.
   */
  heartbeat?: VisibilityHeartbeatOptions;
}

export type SqsWorker = middy.MiddyfiedHandler<SQSEvent, SQSBatchResponse>;

/**
 * The SQS worker: each record goes to `app.deliver`, and its disposition becomes SQS calls and the
 * partial batch response (ReportBatchItemFailures must be on). One session's records run one after
 * another, different sessions in parallel.
 *
 * @example
 * export const handler = createSqsWorker(app, { maxAttempts: 10, deadLetterQueueUrl: process.env.BATON_DLQ_URL });
 */
export function createSqsWorker(app: BatonApp, options: SqsWorkerOptions): SqsWorker {
  const { baton } = app;
  const client =
    options.client ??
    (baton.queue instanceof SqsRunQueue ? baton.queue.client : new SQSClient(sdkClientConfig()));
  const queueUrl = options.queueUrl;
  const queueUrlOf = typeof queueUrl === 'function' ? queueUrl : queueUrl ? () => queueUrl : queueUrlFromArn;
  const safetyMarginMs = options.safetyMarginMs ?? DEFAULT_SAFETY_MARGIN_MS;

  const processRecord = async (
    record: SQSRecord,
    invocationId: string,
    context: Context,
    heartbeat: VisibilityHeartbeat,
  ) => {
    const disposition = await app.deliver(record.body, {
      deadline: invocationDeadline(context, baton.clock, { safetyMarginMs }),
      attempt: Number(record.attributes?.ApproximateReceiveCount) || 1,
      maxAttempts: options.maxAttempts,
      owner: `${invocationId}/${record.messageId}`,
    });
    return applyDisposition(record, disposition, {
      client,
      queueUrl: queueUrlOf(record.eventSourceARN),
      deadLetterQueueUrl: options.deadLetterQueueUrl,
      logger: baton.logger,
      now: () => baton.clock.now(),
      beforeVisibilityChange: () => heartbeat.release(record),
    });
  };

  const processEvent = async (
    event: SQSEvent,
    context: Context,
    signal: AbortSignal | undefined,
  ): Promise<SQSBatchResponse> => {
    const records = validRecords(event, baton.logger);
    const invocationId = context?.awsRequestId ?? randomUUID();
    // Every record of the batch from the start: one waiting behind its session's earlier record
    // is held by this invocation too. Beats stop when the batch is answered or middy gives up.
    const heartbeat = startVisibilityHeartbeat(
      records,
      {
        client,
        queueUrlOf: (record) => queueUrlOf(record.eventSourceARN),
        remainingMs: () => context?.getRemainingTimeInMillis?.() ?? Number.POSITIVE_INFINITY,
        logger: baton.logger,
      },
      options.heartbeat,
    );
    // middy keeps one signal across invocations until it aborts: the listener must go afterwards.
    const stop = () => heartbeat.stop();
    signal?.addEventListener('abort', stop, { once: true });
    try {
      return await processRecords(records, invocationId, context, heartbeat);
    } finally {
      signal?.removeEventListener('abort', stop);
      heartbeat.stop();
    }
  };

  const processRecords = async (
    records: SQSRecord[],
    invocationId: string,
    context: Context,
    heartbeat: VisibilityHeartbeat,
  ): Promise<SQSBatchResponse> => {
    const items = records.map((record) => {
      const session = sessionOf(record);
      return { id: record.messageId, group: session ?? `unparsed:${record.messageId}`, session, record };
    });
    const failed = await runBatch(
      items,
      (item) =>
        withLogFields({ messageId: item.id, ...(item.session ? { session: item.session } : {}) }, () =>
          processRecord(item.record, invocationId, context, heartbeat),
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
  }).handler((event, context, handlerOptions) =>
    withLogFields({ invocation: context?.awsRequestId }, () =>
      processEvent(event, context, handlerOptions?.signal),
    ),
  );
}

/** The record's session, which keeps its records in order; undefined when the body names none. */
function sessionOf(record: SQSRecord): string | undefined {
  const parsed = parseRunMessage(record.body);
  return parsed.ok ? refKey(parsed.message) : undefined;
}

/** Records we can report on; anything else in the event is logged, since it has no id to report. */
function validRecords(event: SQSEvent, logger: Logger): SQSRecord[] {
  const records: unknown[] = Array.isArray(event?.Records) ? event.Records : [];
  if (!Array.isArray(event?.Records)) logger.error('not an SQS event; nothing to process');
  return records.filter((record): record is SQSRecord => {
    const candidate = record as Partial<SQSRecord> | null;
    const ok =
      typeof candidate?.messageId === 'string' &&
      typeof candidate.body === 'string' &&
      typeof candidate.receiptHandle === 'string' &&
      typeof candidate.eventSourceARN === 'string';
    if (!ok) logger.error('SQS record without messageId, body, receiptHandle or eventSourceARN; skipped');
    return ok;
  });
}
