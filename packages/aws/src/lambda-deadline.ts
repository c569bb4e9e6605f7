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
  /** Never plan past this many ms from now, whatever Lambda allows (API Gateway's own timeout). */
  capMs?: number;
}

/**
 * The epoch ms (on the Baton's clock) by which this invocation's run must have committed: Lambda's
 * remaining time minus the safety margin. Read the clock through the Baton so tests can drive it.
 *
 * @example
 * const deadline = invocationDeadline(context, baton.clock, { safetyMarginMs: 2_000 });
 */
export function invocationDeadline(
  context: Pick<Context, 'getRemainingTimeInMillis'> | undefined,
  clock: Clock,
  options: DeadlineOptions,
): number {
  const remaining =
    typeof context?.getRemainingTimeInMillis === 'function'
      ? context.getRemainingTimeInMillis()
      : FALLBACK_REMAINING_MS;
  const budget = Math.min(remaining, options.capMs ?? Number.POSITIVE_INFINITY) - options.safetyMarginMs;
  return clock.now() + budget;
}
