import { type Baton, isBatonError, isRetryable, type Logger, refKey } from '@baton/core';
import { deliverSlackReplies, handleSlackRun, isSlackSession, type SlackChannel } from '@baton/slack';
import type { ReceivedMessage, SqliteRunQueue } from './local-queue.js';

export interface LocalWorkerOptions {
  /** Time one invocation may run before it continues in another (the local "function timeout"). */
  runBudgetMs: number;
  /** Messages handled at once; a session's own messages are serialized by its lease anyway. */
  concurrency?: number;
  /** Deliveries before a message that keeps failing is dead-lettered. */
  maxReceives?: number;
  /** Longest idle wait between looks at the queue (another process may have enqueued). */
  pollMs?: number;
  /** Runs Slack sessions through the channel (placeholder, answer, approval buttons); others as usual. */
  slack?: SlackChannel;
}

/**
 * Drains the local queue the way Lambda drains SQS and Azure drains Storage Queues: one
 * `baton.handle` per message, acknowledged when done, delayed when the session is busy, retried
 * with backoff when a retry can help, dead-lettered when it cannot.
 */
export class LocalWorker {
  private running = false;
  private inFlight = new Set<Promise<void>>();
  private wake: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private unsubscribe: (() => void) | null = null;
  private readonly concurrency: number;
  private readonly maxReceives: number;
  private readonly pollMs: number;

  constructor(
    private readonly baton: Baton,
    private readonly queue: SqliteRunQueue,
    private readonly options: LocalWorkerOptions,
    private readonly logger: Logger,
  ) {
    this.concurrency = options.concurrency ?? 4;
    this.maxReceives = options.maxReceives ?? 8;
    this.pollMs = options.pollMs ?? 1_000;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.queue.onEnqueue(() => this.wake?.());
    this.loop = this.poll();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    this.wake?.();
    await this.loop;
    await Promise.all(this.inFlight);
  }

  private async poll(): Promise<void> {
    while (this.running) {
      const free = this.concurrency - this.inFlight.size;
      const received = free > 0 ? this.queue.receive(free, this.options.runBudgetMs + 30_000) : [];
      for (const item of received) {
        const task = this.process(item).finally(() => {
          this.inFlight.delete(task);
          this.wake?.();
        });
        this.inFlight.add(task);
      }
      if (received.length === 0 || free === 0) await this.idle();
    }
  }

  private idle(): Promise<void> {
    const next = this.queue.nextVisibleAt();
    const wait =
      next === null ? this.pollMs : Math.min(this.pollMs, Math.max(5, next - this.baton.clock.now()));
    return new Promise((resolve) => {
      const timer = setTimeout(done, wait);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = null;
        done();
      };
    });
  }

  /** Like the cloud hosts: the reason is recorded on the session (and shown in its Slack thread). */
  private async recordFailure(item: ReceivedMessage, error: unknown, reason: string): Promise<void> {
    const ref = { tenant: item.message.tenant, sessionId: item.message.sessionId };
    try {
      await this.baton.recordFailure(ref, {
        code: isBatonError(error) ? error.code : 'internal',
        message: `the run message was dead-lettered after ${item.receiveCount} deliveries: ${reason}`,
        dedupeKey: `failure:${item.message.dedupeKey}`,
      });
      if (this.options.slack && isSlackSession(ref)) await deliverSlackReplies(this.options.slack, ref);
    } catch (recordError) {
      this.logger.error('could not record the failure on the session', { session: refKey(ref), recordError });
    }
  }

  private async process(item: ReceivedMessage): Promise<void> {
    const session = refKey(item.message);
    try {
      const run = { deadline: this.baton.clock.now() + this.options.runBudgetMs };
      const result = this.options.slack
        ? await handleSlackRun(this.options.slack, item.message, run)
        : await this.baton.handle(item.message, run);
      if (result.kind === 'retry_later') {
        this.queue.retryLater(item.id, result.delayMs);
        return;
      }
      this.queue.ack(item.id);
    } catch (error) {
      const reason = isBatonError(error) ? `${error.code}: ${error.message}` : String(error);
      if (!isRetryable(error) || item.receiveCount >= this.maxReceives) {
        this.logger.error('run message dead-lettered', { session, reason, receiveCount: item.receiveCount });
        this.queue.deadLetter(item.id, reason);
        await this.recordFailure(item, error, reason);
        return;
      }
      const delayMs = Math.min(60_000, 500 * 2 ** (item.receiveCount - 1));
      this.logger.warn('run failed; retrying', { session, reason, delayMs });
      this.queue.retryLater(item.id, delayMs);
    }
  }
}
