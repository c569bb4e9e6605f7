import type { InvocationContext, Timer } from '@azure/functions';
import type { BatonApp } from '@baton/core';

export type AzureTimerHandler = (timer: Timer, context: InvocationContext) => Promise<void>;

/**
 * The timer trigger for `app.sweep()`: the safety net that re-enqueues runs whose enqueue failed
 * after their input was committed.
 *
 * @example
 * app.timer('baton-sweep', { schedule: '0 * * * * *', handler: createSweepHandler(batonApp) });
 */
export function createSweepHandler(app: BatonApp): AzureTimerHandler {
  return async (_timer, context) => {
    const enqueued = await app.sweep();
    if (enqueued > 0) context.log(`sweep re-enqueued runs for ${enqueued} idle session(s)`);
  };
}
