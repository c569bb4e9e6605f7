/**
 * What every fault injector shares: a seeded choice of which calls fail and how, and a log of what
 * was injected, so a test can print how many faults a run survived and reproduce a failing seed.
 */

/** When a fault hits: before the request reaches the store, or after it did (the answer is lost). */
export type FaultTiming = 'before' | 'after';

export interface InjectedFault {
  /** The operation that failed: a store method, an SDK command name, an HTTP method and path. */
  operation: string;
  /** Which fault: 'throttle', 'conflict', 'reset', 'timeout', 'unavailable', 'busy', ... */
  kind: string;
  timing: FaultTiming;
}

export interface FaultPlanOptions<Kind extends string> {
  /** Share of eligible calls that fail, from 0 to 1. */
  rate: number;
  /** The faults to choose from, each with a weight (default 1). A kind may allow only some timings. */
  kinds: readonly { kind: Kind; weight?: number; timings: readonly FaultTiming[] }[];
  /** Same seed, same faults for the same sequence of calls. Default 1. */
  seed?: number;
  /** Stop injecting after this many faults (default: never stop). */
  limit?: number;
}

/** A small, fast, seedable PRNG (mulberry32): reproducible fault sequences without a dependency. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * Decides, call by call, whether to inject a fault and which one; records every fault it chose.
 *
 * @example
 * const plan = new FaultPlan({ rate: 0.2, kinds: [{ kind: 'throttle', timings: ['before'] }] });
 * const fault = plan.next('commit'); // undefined, or { operation: 'commit', kind: 'throttle', timing: 'before' }
 */
export class FaultPlan<Kind extends string = string> {
  readonly injected: (InjectedFault & { kind: Kind })[] = [];
  private readonly random: () => number;
  private enabled = true;

  constructor(private readonly options: FaultPlanOptions<Kind>) {
    if (!(options.rate >= 0 && options.rate <= 1)) throw new RangeError('rate must be from 0 to 1');
    if (options.kinds.length === 0) throw new RangeError('a fault plan needs at least one kind');
    this.random = seededRandom(options.seed ?? 1);
  }

  /**
   * The fault for this call, or undefined to let it through. `allowed` narrows the kinds and
   * `timings` the timings possible for this call (a read has no "after": nothing was written).
   */
  next(
    operation: string,
    allowed?: (kind: Kind) => boolean,
    timings?: readonly FaultTiming[],
  ): (InjectedFault & { kind: Kind }) | undefined {
    if (!this.enabled || this.injected.length >= (this.options.limit ?? Number.POSITIVE_INFINITY)) return;
    // Draw all three numbers every time, so whether one call fails never shifts the choices of the next.
    const roll = this.random();
    const pick = this.random();
    const when = this.random();
    if (roll >= this.options.rate) return;
    const kinds = this.options.kinds
      .map((entry) => ({
        ...entry,
        timings: entry.timings.filter((timing) => !timings || timings.includes(timing)),
      }))
      .filter((entry) => entry.timings.length > 0 && (!allowed || allowed(entry.kind)));
    if (kinds.length === 0) return;
    const total = kinds.reduce((sum, entry) => sum + (entry.weight ?? 1), 0);
    let cursor = pick * total;
    let chosen = kinds.at(-1)!;
    for (const entry of kinds) {
      cursor -= entry.weight ?? 1;
      if (cursor < 0) {
        chosen = entry;
        break;
      }
    }
    const timing = chosen.timings[Math.floor(when * chosen.timings.length)] ?? chosen.timings[0]!;
    const fault = { operation, kind: chosen.kind, timing };
    this.injected.push(fault);
    return fault;
  }

  /** Stops injecting (the run under test is over; checks that follow must read the truth). */
  disable(): void {
    this.enabled = false;
  }

  enable(): void {
    this.enabled = true;
  }

  /** How many faults of each kind and timing were injected, e.g. { 'throttle/before': 3 }. */
  summary(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const fault of this.injected) {
      const key = `${fault.kind}/${fault.timing}`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    return counts;
  }
}
