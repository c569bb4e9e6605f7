/**
 * A run message asks some invocation to advance a session. Every pending input, decision and
 * continuation has one, delivered again until the work is done; running a message whose work is
 * already done is a no-op, so duplicates are harmless.
 */
export interface RunMessage {
  v: 1;
  tenant: string;
  sessionId: string;
  reason: 'input' | 'decision' | 'continue' | 'retry' | 'outbox' | 'wake';
  /** Unique per logical message, so a queue that dedupes (SQS FIFO, the local queue) can. */
  dedupeKey: string;
  traceparent?: string;
  /** Epoch ms before which the message must not run: delays a queue cannot express (SQS caps at 900 s). */
  notBefore?: number;
  /** On a `wake`: the schedule occurrence it fires (schedules/schedule-fire.ts), once however often delivered. */
  schedule?: { id: string; dueAt: number };
}

export interface RunQueue {
  enqueue(message: RunMessage, options?: { delayMs?: number }): Promise<void>;
}
