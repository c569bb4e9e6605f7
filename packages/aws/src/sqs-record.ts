import { ChangeMessageVisibilityCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Baton, BatonError, SessionRef } from '@baton/core';
import { isRetryable } from '@baton/core';
import { deliverSlackReplies, handleSlackRun, isSlackSession, type SlackChannel } from '@baton/slack';
import type { SQSRecord } from 'aws-lambda';
import { type PoisonReason, sendToDeadLetterQueue } from './dead-letter.js';
import type { ParsedRecord } from './run-message.js';

/** done: delete the message. failed: report it in batchItemFailures so SQS delivers it again. */
export type RecordOutcome = 'done' | 'failed';

/** SQS's limit for ChangeMessageVisibility. */
const MAX_VISIBILITY_SECONDS = 43_200;

export interface RecordContext {
  baton: Baton;
  client: SQSClient;
  /** The run's deadline, read when the record starts (records of one session run one after another). */
  deadline: () => number;
  invocationId: string;
  queueUrlOf: (eventSourceArn: string) => string;
  /** Where poison messages go with their reason; without it they are left to the queue's redrive policy. */
  deadLetterQueueUrl: string | undefined;
  /** When set, runs go through the Slack channel, which keeps Slack sessions' threads up to date. */
  slack: SlackChannel | undefined;
}

/**
 * One record: a run message becomes one `baton.handle` call (`handleSlackRun` when Slack is
 * configured), and its result becomes what SQS should do with the message. Busy sessions come back
 * when the lease expires; retryable errors come back after the visibility timeout; poison (a
 * malformed body, an error no retry can fix) is recorded on the session where there is one (and
 * shown in its Slack thread) and dead-lettered with its reason.
 */
export async function processRecord(
  record: SQSRecord,
  parsed: ParsedRecord,
  context: RecordContext,
): Promise<RecordOutcome> {
  const { baton } = context;
  if (!parsed.ok) return poison(record, context, { code: 'malformed_message', message: parsed.reason });
  const now = baton.clock.now();
  if (parsed.notBefore !== undefined && parsed.notBefore > now) {
    return holdBack(record, context, parsed.notBefore - now);
  }
  try {
    const options = { deadline: context.deadline(), owner: `${context.invocationId}/${record.messageId}` };
    const result = context.slack
      ? await handleSlackRun(context.slack, parsed.message, options)
      : await baton.handle(parsed.message, options);
    if (result.kind === 'retry_later') {
      baton.logger.info('session busy; the message comes back later', { delayMs: result.delayMs });
      return holdBack(record, context, result.delayMs);
    }
    baton.logger.debug('run message handled', { outcome: result.outcome, reason: parsed.message.reason });
    return 'done';
  } catch (error) {
    if (isRetryable(error)) {
      baton.logger.warn('run failed; SQS delivers the message again', { error });
      return 'failed';
    }
    // isRetryable is false only for BatonErrors, which carry a code.
    const { code, message } = error as BatonError;
    return poison(record, context, { code, message }, parsed.ref);
  }
}

/** A Slack session's thread shows the failure (its placeholder becomes the error); best effort. */
async function tellSlack(context: RecordContext, ref: SessionRef): Promise<void> {
  if (!context.slack || !isSlackSession(ref)) return;
  try {
    await deliverSlackReplies(context.slack, ref, { deadline: context.deadline() });
  } catch (error) {
    context.baton.logger.warn('could not tell the Slack thread about the failure', { error });
  }
}

/** Makes the message visible again after `delayMs` and reports it failed, so it is not deleted. */
async function holdBack(record: SQSRecord, context: RecordContext, delayMs: number): Promise<RecordOutcome> {
  const seconds = Math.min(MAX_VISIBILITY_SECONDS, Math.max(0, Math.ceil(delayMs / 1000)));
  try {
    await context.client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: context.queueUrlOf(record.eventSourceARN),
        ReceiptHandle: record.receiptHandle,
        VisibilityTimeout: seconds,
      }),
    );
  } catch (error) {
    // It still comes back, after the queue's visibility timeout instead.
    context.baton.logger.warn('could not change the message visibility', { error, seconds });
  }
  return 'failed';
}

async function poison(
  record: SQSRecord,
  context: RecordContext,
  reason: PoisonReason,
  ref?: SessionRef,
): Promise<RecordOutcome> {
  const { baton } = context;
  baton.logger.error('poison message: a retry cannot help', {
    code: reason.code,
    reason: reason.message,
    receiveCount: record.attributes?.ApproximateReceiveCount,
  });
  if (ref) {
    try {
      const recorded = await baton.recordFailure(ref, {
        ...reason,
        dedupeKey: `failure:sqs:${record.messageId}`,
      });
      baton.logger.info('failure recorded on the session', { result: recorded });
      await tellSlack(context, ref);
    } catch (recordError) {
      if (isRetryable(recordError)) {
        baton.logger.warn('could not record the failure yet; SQS delivers the message again', {
          error: recordError,
        });
        return 'failed';
      }
      baton.logger.error('could not record the failure on the session', { error: recordError });
    }
  }
  if (!context.deadLetterQueueUrl) return 'failed';
  try {
    await sendToDeadLetterQueue(context.client, context.deadLetterQueueUrl, record, reason);
    return 'done';
  } catch (sendError) {
    baton.logger.error('could not dead-letter the message; it is left to the redrive policy', {
      error: sendError,
    });
    return 'failed';
  }
}
