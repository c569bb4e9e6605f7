import type { RunMessage, RunQueue } from '@baton/core';

export interface QueueItem {
  id: number;
  message: RunMessage;
  visibleAt: number;
  receives: number;
}

/**
 * The soak's stand-in for SQS: at-least-once, unordered, with delays and a visibility timeout. It
 * never deduplicates, so duplicate run messages reach the workers as they would on SQS.
 */
export class SoakQueue implements RunQueue {
  private readonly items: QueueItem[] = [];
  readonly deadLetters: { item: QueueItem; reason: string }[] = [];
  private counter = 0;
  enqueued = 0;

  async enqueue(message: RunMessage, options: { delayMs?: number } = {}): Promise<void> {
    this.enqueued++;
    this.items.push({
      id: ++this.counter,
      message,
      visibleAt: Date.now() + (options.delayMs ?? 0),
      receives: 0,
    });
  }

  /** The next visible message, hidden for `visibilityMs` until acknowledged or retried. */
  receive(visibilityMs: number): QueueItem | undefined {
    const now = Date.now();
    const item = this.items.find((candidate) => candidate.visibleAt <= now);
    if (!item) return undefined;
    item.visibleAt = now + visibilityMs;
    item.receives++;
    return item;
  }

  ack(item: QueueItem): void {
    const index = this.items.indexOf(item);
    if (index >= 0) this.items.splice(index, 1);
  }

  retry(item: QueueItem, delayMs: number): void {
    item.visibleAt = Date.now() + delayMs;
  }

  deadLetter(item: QueueItem, reason: string): void {
    this.ack(item);
    this.deadLetters.push({ item, reason });
  }

  get depth(): number {
    return this.items.length;
  }
}
