/** Where the loop reads time. Tests use a controllable clock so leases and TTLs never need sleeps. */
export interface Clock {
  now(): number;
  /**
   * Waits `ms` (the backoff between retries of a conflicting write). Optional: without it Baton
   * waits with a real timer; a test clock may advance itself instead.
   */
  sleep?(ms: number): Promise<void>;
}

export const systemClock: Clock = { now: () => Date.now() };

/**
 * Waits through the clock when it can, else with a real timer. The timer keeps the process alive:
 * a worker whose only pending work is this wait must not exit in the middle of a retry.
 */
export function sleep(clock: Clock, ms: number): Promise<void> {
  if (clock.sleep) return clock.sleep(ms);
  return new Promise((resolve) => setTimeout(resolve, ms));
}
