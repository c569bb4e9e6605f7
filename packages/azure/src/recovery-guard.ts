import type { QueueClient } from '@azure/storage-queue';
import type { RunMessage } from '@baton/core';
import { encodeRunMessage } from './run-message.js';

/**
 * How long the guard copy stays hidden after each renewal. The Functions host hides the message it
 * runs for a fixed 10 minutes (host.json's `visibilityTimeout` is only the delay after a failed
 * run), so after a host crash the original is back in 10 minutes; the guard is back in this.
 */
export const DEFAULT_GUARD_VISIBILITY_SECONDS = 30;

export interface RecoveryGuardOptions {
  /** Default DEFAULT_GUARD_VISIBILITY_SECONDS. */
  visibilitySeconds?: number;
  /** Between renewals. Default a third of visibilitySeconds. */
  intervalMs?: number;
}

export interface GuardLog {
  warn(message: string, details?: unknown): void;
}

/**
 * A hidden copy of the run message that stands in for the original while it runs: renewed while the
 * invocation lives and deleted when it ends, so it only ever comes back when the host died. It then
 * finds the lease held (the message is held back until the lease ends) or the run pending (it runs).
 * The copy carries the attempts spent, so a session that keeps killing its host still ends at
 * maxDequeueCount.
 *
 * @example
 * const guard = await startRecoveryGuard(queue.client, { ...message, priorAttempts: attempt }, {}, context);
 * try { await run(); } finally { await guard?.remove(); }
 */
export async function startRecoveryGuard(
  client: QueueClient,
  message: RunMessage & { priorAttempts: number },
  options: RecoveryGuardOptions,
  log: GuardLog,
): Promise<RecoveryGuard | undefined> {
  const visibilitySeconds = options.visibilitySeconds ?? DEFAULT_GUARD_VISIBILITY_SECONDS;
  try {
    const sent = await client.sendMessage(encodeRunMessage(message), {
      visibilityTimeout: visibilitySeconds,
      messageTimeToLive: -1,
    });
    return new RecoveryGuard(client, sent.messageId, sent.popReceipt, visibilitySeconds, options, log);
  } catch (error) {
    // Without it a crash is recovered when the host's own 10 minutes end.
    log.warn('could not send the recovery copy of the run message', { error });
    return undefined;
  }
}

export class RecoveryGuard {
  private timer: ReturnType<typeof setInterval> | undefined;
  private inFlight: Promise<void> | undefined;

  constructor(
    private readonly client: QueueClient,
    readonly messageId: string,
    private popReceipt: string,
    private readonly visibilitySeconds: number,
    options: RecoveryGuardOptions,
    private readonly log: GuardLog,
  ) {
    this.timer = setInterval(() => this.renew(), options.intervalMs ?? (visibilitySeconds * 1000) / 3);
    this.timer.unref?.();
  }

  /** Stops renewing and deletes the copy: the invocation ended, whatever its outcome. */
  async remove(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.inFlight;
    try {
      await this.client.deleteMessage(this.messageId, this.popReceipt);
    } catch (error) {
      // It comes back within visibilitySeconds and finds nothing to do.
      this.log.warn('could not delete the recovery copy of the run message', { error });
    }
  }

  private renew(): void {
    if (this.inFlight) return;
    this.inFlight = this.client
      .updateMessage(this.messageId, this.popReceipt, undefined, this.visibilitySeconds)
      .then((updated) => {
        if (updated.popReceipt) this.popReceipt = updated.popReceipt;
      })
      .catch((error: unknown) => this.log.warn('could not renew the recovery copy', { error }))
      .finally(() => {
        this.inFlight = undefined;
      });
  }
}
