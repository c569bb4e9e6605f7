import type { Baton } from '@baton/core';
import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import { withLogFields } from './invocation-log.js';
import { DEFAULT_TIMEOUT_EARLY_MS } from './lambda-deadline.js';

export interface SweeperOptions {
  /** Sessions untouched for this long with pending work and no live lease are re-enqueued. Default: core's. */
  idleForMs?: number;
  /** Page size of the store listing. */
  limit?: number;
}

export type Sweeper = middy.MiddyfiedHandler<ScheduledEvent, { enqueued: number }>;

/**
 * The scheduled safety net (an EventBridge rule, every few minutes): `baton.sweep()` re-enqueues
 * runs whose queue message was lost after their input was committed.
 *
 * @example
 * export const handler = createSweeper(baton, { idleForMs: 120_000 });
 */
export function createSweeper(baton: Baton, options: SweeperOptions = {}): Sweeper {
  return middy<ScheduledEvent, { enqueued: number }>({
    timeoutEarlyInMillis: DEFAULT_TIMEOUT_EARLY_MS,
  }).handler((_event, context) =>
    withLogFields({ invocation: context?.awsRequestId }, async () => {
      const enqueued = await baton.sweep({
        ...(options.idleForMs !== undefined ? { idleForMs: options.idleForMs } : {}),
        ...(options.limit !== undefined ? { limit: options.limit } : {}),
      });
      baton.logger.info('sweep finished', { enqueued });
      return { enqueued };
    }),
  );
}
