/** Where the loop reads time. Tests use a controllable clock so leases and TTLs never need sleeps. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
