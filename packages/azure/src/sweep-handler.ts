import type { InvocationContext, Timer } from '@azure/functions';
import type { Baton } from '@baton/core';

export type AzureTimerHandler = (timer: Timer, context: InvocationContext) => Promise<void>;

/**
 * The timer trigger for `baton.sweep()`: the safety net that re-enqueues runs whose enqueue failed
 * after their input was committed.
 *
 * @example
 * app.timer('baton-sweep', { schedule: '0 * * * * *', handler: createSweepHandler(baton) });
 */
export function createSweepHandler(
  baton: Baton,
  options: { idleForMs?: number; limit?: number } = {},
): AzureTimerHandler {
  return async (_timer, context) => {
    const enqueued = await baton.sweep(options);
    if (enqueued > 0) context.log(`sweep re-enqueued runs for ${enqueued} idle session(s)`);
  };
}
