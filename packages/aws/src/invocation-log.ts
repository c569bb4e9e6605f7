import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from '@baton/core';

/**
 * Fields every log line of the current invocation carries (invocation id, SQS message id). Core's
 * loggers are created once per Baton, so the per-invocation fields cannot be baked into them; they
 * come from the async context instead, which also keeps parallel records of one batch apart.
 */
const current = new AsyncLocalStorage<Record<string, unknown>>();

/** Runs `work` with `fields` added to every line logged through an `invocationLogger`. */
export function withLogFields<T>(fields: Record<string, unknown>, work: () => Promise<T>): Promise<T> {
  return current.run({ ...current.getStore(), ...fields }, work);
}

/**
 * Wraps a core Logger so each line also carries the fields of the invocation it was logged in.
 *
 * @example
 * const logger = invocationLogger(jsonLogger({ base: { service: 'baton' } }));
 * await withLogFields({ invocation: 'req-1' }, async () => logger.info('hello')); // {..., invocation: 'req-1'}
 */
export function invocationLogger(base: Logger): Logger {
  const withFields = (fields?: Record<string, unknown>) => {
    const extra = current.getStore();
    return extra ? { ...extra, ...fields } : fields;
  };
  return {
    debug: (message, fields) => base.debug(message, withFields(fields)),
    info: (message, fields) => base.info(message, withFields(fields)),
    warn: (message, fields) => base.warn(message, withFields(fields)),
    error: (message, fields) => base.error(message, withFields(fields)),
    child: (fields) => invocationLogger(base.child(fields)),
  };
}
