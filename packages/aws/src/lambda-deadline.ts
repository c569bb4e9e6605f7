import type { Clock } from '@baton/core';
import type { Context } from 'aws-lambda';

/**
 * Time kept free before Lambda's own deadline: after the run stops it still commits, answers (HTTP)
 * or reports its batch (SQS), and logs. Core plans every model call and tool against what is left.
 */
export const DEFAULT_SAFETY_MARGIN_MS = 2_000;

/**
 * middy's early timeout: the last resort when something ignored the run's deadline. It must fire
 * after the run's deadline (the safety margin) and before Lambda kills the invocation.
 */
export const DEFAULT_TIMEOUT_EARLY_MS = 500;

/** Used when the context has no clock (a container or a test without a Lambda context). */
const FALLBACK_REMAINING_MS = 30_000;

export interface DeadlineOptions {
  safetyMarginMs: number;
  /**
   * Never plan past this many ms after `startedAt`, whatever Lambda allows (API Gateway's own
   * timeout, which runs from the request's arrival and so includes a cold start).
   */
  capMs?: number;
  /** Epoch ms the cap counts from (the request's arrival). Default: now. */
  startedAt?: number;
}

/**
 * The epoch ms (on the app's clock) by which this invocation's run must have committed: the
 * earlier of Lambda's remaining time and the cap, minus the safety margin.
 *
 * @example
 * const deadline = invocationDeadline(context, clock, { safetyMarginMs: 2_000, capMs: 29_000, startedAt: event.requestContext.timeEpoch });
 */
export function invocationDeadline(
  context: Pick<Context, 'getRemainingTimeInMillis'> | undefined,
  clock: Clock,
  options: DeadlineOptions,
): number {
  const now = clock.now();
  const remaining =
    typeof context?.getRemainingTimeInMillis === 'function'
      ? context.getRemainingTimeInMillis()
      : FALLBACK_REMAINING_MS;
  let end = now + remaining;
  if (options.capMs !== undefined) {
    // An arrival "in the future" is clock skew between API Gateway and this host: count from now.
    const started =
      options.startedAt !== undefined && Number.isFinite(options.startedAt)
        ? Math.min(options.startedAt, now)
        : now;
    end = Math.min(end, started + options.capMs);
  }
  return end - options.safetyMarginMs;
}
