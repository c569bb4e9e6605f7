import { ConfigurationError, type Environment } from '../models/model-provider.js';

/**
 * An integer setting (milliseconds, seconds, counts) from the environment, or undefined when unset.
 * The one reader every host uses, so a bad value gets the same one-line error everywhere.
 *
 * @example
 * integerSetting(process.env, 'BATON_LEASE_MS'); // 30000, or undefined
 */
export function integerSetting(env: Environment, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new ConfigurationError(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`, {
      setting: name,
    });
  }
  return value;
}

/** The settings of an app that every host reads the same way; unset ones keep the app's defaults. */
export interface AppSettings {
  /** BATON_LEASE_MS: overrides every agent's `timing.leaseMs`. */
  leaseMs: number | undefined;
  /** BATON_MODEL_CALL_MS: overrides every agent's `timing.modelCallMs`. */
  modelCallMs: number | undefined;
  /** BATON_SAFETY_NET_DELAY_MS: how long an HTTP input's queued run message stays hidden. */
  safetyNetDelayMs: number | undefined;
  /** BATON_SWEEP_IDLE_MS: how long a session with pending work must be quiet before the sweep re-enqueues it. */
  sweepIdleMs: number | undefined;
}

/**
 * Reads the app settings of an environment.
 *
 * @example
 * const { leaseMs } = appSettings(process.env);
 */
export function appSettings(env: Environment): AppSettings {
  return {
    leaseMs: integerSetting(env, 'BATON_LEASE_MS'),
    modelCallMs: integerSetting(env, 'BATON_MODEL_CALL_MS'),
    safetyNetDelayMs: integerSetting(env, 'BATON_SAFETY_NET_DELAY_MS'),
    sweepIdleMs: integerSetting(env, 'BATON_SWEEP_IDLE_MS'),
  };
}
