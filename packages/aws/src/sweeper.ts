import type { BatonApp } from '@baton/core';
import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import { withLogFields } from './invocation-log.js';
import { DEFAULT_TIMEOUT_EARLY_MS } from './lambda-deadline.js';

export type Sweeper = middy.MiddyfiedHandler<ScheduledEvent, { enqueued: number }>;

/**
 * The scheduled safety net (an EventBridge rule, every few minutes): `app.sweep()` re-enqueues
 * runs whose queue message was lost after their input was committed.
 *
 * @example
 * export const handler = createSweeper(app);
 */
export function createSweeper(app: BatonApp): Sweeper {
  return middy<ScheduledEvent, { enqueued: number }>({
    timeoutEarlyInMillis: DEFAULT_TIMEOUT_EARLY_MS,
  }).handler((_event, context) =>
    withLogFields({ invocation: context?.awsRequestId }, async () => {
      const enqueued = await app.sweep();
      app.baton.logger.info('sweep finished', { enqueued });
      return { enqueued };
    }),
  );
}
