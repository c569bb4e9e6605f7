import { ChangeMessageVisibilityCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Logger } from '@baton/core';
import type { SQSRecord } from 'aws-lambda';

/**
 * How long the worker keeps a record hidden after each beat. A worker that dies stops beating, so
 * its records are back on the queue at most this long after its last beat (plus a poll), however
 * long the queue's own visibility timeout is.
 */
export const DEFAULT_VISIBILITY_SECONDS = 30;

/**
 * Beyond the invocation's remaining time a beat adds at most this much: once Lambda has ended the
 * invocation nobody works on the record, so it should come back soon after.
 */
export const DEFAULT_BEYOND_DEADLINE_MS = 5_000;

export interface VisibilityHeartbeatOptions {
  /** Seconds a beat hides a record for. Default DEFAULT_VISIBILITY_SECONDS. */
  visibilitySeconds?: number;
  /** Between beats. Default a third of visibilitySeconds, so two beats may fail before it lapses. */
  intervalMs?: number;
  /** Default DEFAULT_BEYOND_DEADLINE_MS. */
  beyondDeadlineMs?: number;
}

export interface HeartbeatTarget {
  client: SQSClient;
  queueUrlOf: (record: SQSRecord) => string;
  /** The invocation's remaining time (Lambda's `getRemainingTimeInMillis`). */
  remainingMs: () => number;
  logger: Logger;
}

/**
 * Keeps an invocation's records hidden in short steps with ChangeMessageVisibility: one beat for
 * every record at once when the invocation starts, then one every `intervalMs`, until the record's
 * own visibility is set (`release`, before a hold-back) or the invocation ends (`stop`).
 * ChangeMessageVisibility is not a receive, so beats never count toward maxReceiveCount.
 *
 * @example
 * const heartbeat = startVisibilityHeartbeat(event.Records, target, { visibilitySeconds: 30 });
 * try { await work(); } finally { heartbeat.stop(); }
 */
export function startVisibilityHeartbeat(
  records: readonly SQSRecord[],
  target: HeartbeatTarget,
  options: VisibilityHeartbeatOptions = {},
): VisibilityHeartbeat {
  const heartbeat = new VisibilityHeartbeat(records, target, options);
  heartbeat.beat();
  return heartbeat;
}

export class VisibilityHeartbeat {
  private readonly pending = new Map<string, SQSRecord>();
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly visibilitySeconds: number;
  private readonly beyondDeadlineMs: number;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    records: readonly SQSRecord[],
    private readonly target: HeartbeatTarget,
    options: VisibilityHeartbeatOptions,
  ) {
    this.visibilitySeconds = options.visibilitySeconds ?? DEFAULT_VISIBILITY_SECONDS;
    if (!Number.isInteger(this.visibilitySeconds) || this.visibilitySeconds < 1) {
      throw new Error(`visibilitySeconds must be a positive integer, got ${this.visibilitySeconds}`);
    }
    this.beyondDeadlineMs = options.beyondDeadlineMs ?? DEFAULT_BEYOND_DEADLINE_MS;
    for (const record of records) this.pending.set(record.messageId, record);
    const intervalMs = options.intervalMs ?? (this.visibilitySeconds * 1000) / 3;
    if (this.pending.size > 0) {
      this.timer = setInterval(() => this.beat(), intervalMs);
      this.timer.unref?.();
    }
  }

  /** Hides every record still held for another `visibilitySeconds` (capped by the invocation's time). */
  beat(): void {
    const seconds = Math.min(
      this.visibilitySeconds,
      Math.max(1, Math.ceil((this.target.remainingMs() + this.beyondDeadlineMs) / 1000)),
    );
    for (const record of this.pending.values()) {
      if (this.inFlight.has(record.messageId)) continue;
      const call = this.extend(record, seconds).finally(() => this.inFlight.delete(record.messageId));
      this.inFlight.set(record.messageId, call);
    }
  }

  /**
   * Stops beating for `record` and waits for a beat already sent, so the visibility its
   * disposition sets next is the last word.
   */
  async release(record: SQSRecord): Promise<void> {
    this.pending.delete(record.messageId);
    await this.inFlight.get(record.messageId);
  }

  /** Stops every beat (the invocation is over, or middy gave up on it). */
  stop(): void {
    this.pending.clear();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async extend(record: SQSRecord, seconds: number): Promise<void> {
    try {
      await this.target.client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: this.target.queueUrlOf(record),
          ReceiptHandle: record.receiptHandle,
          VisibilityTimeout: seconds,
        }),
      );
    } catch (error) {
      // The record comes back once its current visibility ends; a redelivery finds the lease held.
      this.target.logger.warn('could not extend the message visibility', {
        error,
        messageId: record.messageId,
      });
    }
  }
}
