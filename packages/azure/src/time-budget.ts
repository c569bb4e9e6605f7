/**
 * Kept back from an invocation's budget for what follows the last step: the final commit, the
 * continuation enqueue and the response. The loop itself reserves each step's own time before it
 * starts it (agent.timing.modelCallMs, tool.timeoutMs), so the margin only covers the tail.
 */
export const DEFAULT_MARGIN_MS = 5_000;

/** Azure's front end drops an HTTP request after 230 s, whatever functionTimeout says. */
export const HTTP_RESPONSE_LIMIT_MS = 230_000;

/**
 * The deadline to hand the core: the host's timeout counted from when the invocation started,
 * less the margin. `startedAt` is read from the Baton's clock, the one the loop compares against.
 *
 * @example
 * const deadline = invocationDeadline(baton.clock.now(), 600_000);
 */
export function invocationDeadline(
  startedAt: number,
  budgetMs: number,
  marginMs: number = DEFAULT_MARGIN_MS,
): number {
  return startedAt + Math.max(0, budgetMs - marginMs);
}
