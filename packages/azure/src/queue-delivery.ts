import type { InvocationContext } from '@azure/functions';

/** What the queue trigger says about this delivery of a message. */
export interface QueueDelivery {
  /** The storage queue's message id (the same on every delivery of one message). */
  id: string | undefined;
  /** 1 on the first delivery; the host poisons the message after maxDequeueCount. */
  dequeueCount: number;
}

/**
 * Reads the queue trigger's metadata (`DequeueCount`, `Id`, camel-cased by the Node library). The
 * count may arrive as a number or as its JSON text depending on the host version; a missing one
 * counts as a first delivery.
 */
export function queueDelivery(context: InvocationContext): QueueDelivery {
  const metadata = context.triggerMetadata ?? {};
  const count = Number(metadata.dequeueCount);
  const id = metadata.id;
  return {
    id: typeof id === 'string' && id !== '' ? id : undefined,
    dequeueCount: Number.isInteger(count) && count > 0 ? count : 1,
  };
}

/**
 * The attempts earlier copies of a message used (a copy is a new message whose dequeueCount starts
 * at 1 again), carried in its body as `priorAttempts`; 0 for an original.
 */
export function priorAttempts(entry: unknown): number {
  const value = (entry as { priorAttempts?: unknown } | null)?.priorAttempts;
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : 0;
}

/** A lease owner unique to this invocation, so two invocations never share a lease. */
export function invocationOwner(context: InvocationContext): string | undefined {
  const id = context.invocationId;
  return id && id !== 'unknown' ? `azure:${id}` : undefined;
}
