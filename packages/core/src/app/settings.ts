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

/**
 * A text setting's value, or undefined when it is unset or blank.
 *
 * @example
 * textSetting(process.env, 'AWS_REGION'); // 'eu-west-1', or undefined
 */
export function textSetting(env: Environment, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/**
 * A setting a provider or channel cannot do without: its value, or a one-line ConfigurationError.
 *
 * @example
 * requiredSetting({}, 'OPENAI_API_KEY', 'openai', 'an OpenAI API key');
 * // throws ConfigurationError: openai needs OPENAI_API_KEY — an OpenAI API key
 */
export function requiredSetting(env: Environment, name: string, provider: string, what: string): string {
  const value = textSetting(env, name);
  if (value === undefined) {
    throw new ConfigurationError(`${provider} needs ${name} — ${what}`, { provider, setting: name });
  }
  return value;
}
