import { z } from 'zod';

/**
 * The host.json values the handlers must agree with. host.json is the single source: the entry
 * imports it, and app settings of the form `AzureFunctionsJobHost__<path>` override it exactly as
 * the Functions host does, so the deadline a handler computes is the timeout the host enforces.
 */
export interface HostSettings {
  /** host.json `functionTimeout`; the budget of one invocation. */
  functionTimeoutMs: number;
  /** host.json `extensions.http.routePrefix` ('api' unless set; '' for none). */
  routePrefix: string;
  /** host.json `extensions.queues.maxDequeueCount`: deliveries before the host poisons a message. */
  maxDequeueCount: number;
}

export type Environment = Record<string, string | undefined>;

/** The host's defaults where host.json is silent (Consumption plan: 5 minutes). */
const DEFAULTS: HostSettings = { functionTimeoutMs: 5 * 60_000, routePrefix: 'api', maxDequeueCount: 5 };

/**
 * A functionTimeout of -1 means "unbounded" (Premium, Dedicated). One invocation still gets a finite
 * budget, so a long run hands over through the queue now and then instead of holding one instance.
 */
export const UNBOUNDED_TIMEOUT_BUDGET_MS = 30 * 60_000;

const hostJsonShape = z.object({
  functionTimeout: z.string().optional(),
  extensions: z
    .object({
      http: z.object({ routePrefix: z.string().optional() }).optional(),
      queues: z.object({ maxDequeueCount: z.number().int().positive().optional() }).optional(),
    })
    .optional(),
});

/**
 * Reads the settings from host.json and the environment's overrides.
 *
 * @example
 * const settings = hostSettings({ version: '2.0', functionTimeout: '00:10:00' }, process.env);
 * // settings.functionTimeoutMs === 600_000
 */
export function hostSettings(hostJson: unknown, env: Environment = process.env): HostSettings {
  const parsed = hostJsonShape.parse(hostJson);
  const timeout = env.AzureFunctionsJobHost__functionTimeout ?? parsed.functionTimeout;
  const prefix =
    env.AzureFunctionsJobHost__extensions__http__routePrefix ?? parsed.extensions?.http?.routePrefix;
  const dequeue = env.AzureFunctionsJobHost__extensions__queues__maxDequeueCount;
  return {
    functionTimeoutMs: timeout === undefined ? DEFAULTS.functionTimeoutMs : timeSpanMs(timeout),
    routePrefix: prefix ?? DEFAULTS.routePrefix,
    maxDequeueCount:
      dequeue !== undefined
        ? positiveInteger(dequeue, 'maxDequeueCount')
        : (parsed.extensions?.queues?.maxDequeueCount ?? DEFAULTS.maxDequeueCount),
  };
}

/** Parses a .NET TimeSpan as host.json writes it ("hh:mm:ss", "d.hh:mm:ss", or "-1" for unbounded). */
export function timeSpanMs(value: string): number {
  if (value.trim() === '-1') return UNBOUNDED_TIMEOUT_BUDGET_MS;
  const match = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?$/.exec(value.trim());
  if (!match) throw new Error(`functionTimeout ${JSON.stringify(value)} is not a TimeSpan like "00:10:00"`);
  const [, days, hours, minutes, seconds, fraction] = match;
  const ms =
    ((Number(days ?? 0) * 24 + Number(hours)) * 60 + Number(minutes)) * 60_000 +
    Number(seconds) * 1000 +
    Math.round(Number(`0.${fraction ?? '0'}`) * 1000);
  if (ms <= 0) throw new Error(`functionTimeout ${JSON.stringify(value)} must be positive`);
  return ms;
}

function positiveInteger(value: string, name: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) {
    throw new Error(`${name} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return number;
}
