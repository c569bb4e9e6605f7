import { type BatonApp, type Disposition, keepAlive, type Logger } from '@baton/core';
import type { ReceivedMessage, SqliteRunQueue } from './local-queue.js';

export interface LocalWorkerOptions {
  /** Time one invocation may run before it continues in another (the local "function timeout"). */
  runBudgetMs: number;
  /** Messages handled at once; a session's own messages are serialized by its lease anyway. */
  concurrency?: number;
  /** Deliveries of a message before the app records its failure and dead-letters it. */
  maxReceives?: number;
  /** Longest idle wait between looks at the queue (another process may have enqueued). */
  pollMs?: number;
  /**
   * How long a received message stays hidden without a sign of life: the worker extends it each
   * time a third has passed while the app works on it, so a message whose process died comes back
   * this soon. Default 10 s.
   */
  visibilityMs?: number;
  /** Who holds what this worker receives (this server's incarnation). Default: anonymous. */
  holder?: string;
}

/** The queue says this worker no longer holds the message (a restarted server took it back). */
class MessageLost extends Error {}

/**
 * Drains the local queue the way Lambda drains SQS and Azure drains Storage Queues: each message
 * goes to `app.deliver`, and the worker does what the disposition says (acknowledge, hide it for a
 * while, dead-letter it). The decisions are the app's; this only translates them to the queue.
 */
export class LocalWorker {
  private running = false;
  private inFlight = new Set<Promise<void>>();
  private wake: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private unsubscribe: (() => void) | null = null;
  private idleWaiters: (() => void)[] = [];
  private readonly concurrency: number;
  private readonly maxReceives: number;
  private readonly pollMs: number;
  private readonly visibilityMs: number;
  private readonly holder: string | null;

  constructor(
    private readonly app: BatonApp,
    private readonly queue: SqliteRunQueue,
    private readonly options: LocalWorkerOptions,
    private readonly logger: Logger,
  ) {
    this.concurrency = options.concurrency ?? 4;
    this.maxReceives = options.maxReceives ?? 8;
    this.pollMs = options.pollMs ?? 1_000;
    this.visibilityMs = options.visibilityMs ?? 10_000;
    this.holder = options.holder ?? null;
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
    this.settleIdleWaiters();
  }

  /**
   * Resolves the next time the worker finds no visible message and has none in flight (or stops):
   * for tests and tools that wait for the queue to be worked off without sleeping.
   */
  whenIdle(): Promise<void> {
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.wake?.();
    });
  }

  private async poll(): Promise<void> {
    while (this.running) {
      const free = this.concurrency - this.inFlight.size;
      const received = free > 0 ? this.queue.receive(free, this.visibilityMs, this.holder) : [];
      for (const item of received) {
        const task = this.process(item).finally(() => {
          this.inFlight.delete(task);
          this.wake?.();
        });
        this.inFlight.add(task);
      }
      if (received.length === 0 && this.inFlight.size === 0) this.settleIdleWaiters();
      if (received.length === 0 || free === 0) await this.idle();
    }
  }

  private settleIdleWaiters(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private idle(): Promise<void> {
    const next = this.queue.nextVisibleAt();
    const now = this.app.baton.clock.now();
    const wait = next === null ? this.pollMs : Math.min(this.pollMs, Math.max(5, next - now));
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

  private async process(item: ReceivedMessage): Promise<void> {
    let disposition: Disposition;
    const clock = this.app.baton.clock;
    let hiddenUntil = clock.now() + this.visibilityMs;
    try {
      // A heartbeat keeps the message hidden while the app works on it, and only then.
      disposition = await keepAlive(
        {
          clock,
          dueAt: () => hiddenUntil - (this.visibilityMs * 2) / 3,
          beat: async () => {
            if (!this.queue.extend(item.id, this.holder, this.visibilityMs)) throw new MessageLost();
            hiddenUntil = clock.now() + this.visibilityMs;
          },
          isLost: (error) => error instanceof MessageLost,
          retryMs: this.visibilityMs / 10,
          onError: (error) => this.logger.warn('could not extend a run message', { error }),
        },
        () =>
          this.app.deliver(item.body, {
            deadline: clock.now() + this.options.runBudgetMs,
            attempt: item.receiveCount,
            maxAttempts: this.maxReceives,
            ...(this.holder ? { owner: `${this.holder}/${item.id}.${item.receiveCount}` } : {}),
          }),
      );
    } catch (error) {
      // Like a crashed function: the message comes back after its visibility timeout (seconds).
      this.logger.error('delivering a run message failed', { error, receiveCount: item.receiveCount });
      return;
    }
    switch (disposition.action) {
      case 'done':
        this.queue.ack(item.id);
        return;
      case 'retry':
        this.queue.retryLater(item.id, disposition.delayMs, {
          countsReceive: disposition.consumesAttempt,
          waitsForLease: disposition.reason === 'session_busy',
        });
        return;
      case 'dead_letter':
        this.queue.deadLetter(item.id, `${disposition.code}: ${disposition.message}`);
        return;
    }
  }
}
