/**
 * Every error Baton raises on purpose extends BatonError. `retryable` tells queue adapters whether
 * delivering the same message again can help (throttling, conflicts, timeouts) or whether the
 * message should be dead-lettered with the reason recorded (bad input, unknown agent).
 */
export class BatonError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  /** HTTP status an edge adapter should answer with when this error reaches it. */
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: string,
    message: string,
    options: {
      retryable?: boolean;
      status?: number;
      cause?: unknown;
      details?: Record<string, unknown>;
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.status = options.status ?? 500;
    this.details = options.details;
  }

  toJSON(): {
    error: { code: string; message: string; retryable: boolean; details?: Record<string, unknown> };
  } {
    return {
      error: {
        code: this.code,
        message: this.message,
        retryable: this.retryable,
        ...(this.details ? { details: this.details } : {}),
      },
    };
  }
}

/** The head changed since the writer read it: another writer committed first. Nothing was written. */
export class ConflictError extends BatonError {
  constructor(message = 'the session changed since it was read; nothing was written', cause?: unknown) {
    super('conflict', message, { retryable: true, status: 409, cause });
  }
}

/** The dedupe key was already recorded. Nothing was written; `original` is what the first delivery stored. */
export class DuplicateError extends BatonError {
  readonly original: DedupeRecordLike;
  constructor(original: DedupeRecordLike) {
    super('duplicate', `dedupe key ${original.dedupeKey} was already recorded`, {
      retryable: false,
      status: 200,
    });
    this.original = original;
  }
}

interface DedupeRecordLike {
  dedupeKey: string;
  result: unknown;
}

/** The store (or the network in front of it) asked us to slow down, or failed transiently. */
export class ThrottledError extends BatonError {
  constructor(message: string, cause?: unknown) {
    super('throttled', message, { retryable: true, status: 503, cause });
  }
}

/** A transient failure whose outcome is unknown (a timeout, a reset connection). */
export class StoreUnavailableError extends BatonError {
  constructor(message: string, cause?: unknown) {
    super('store_unavailable', message, { retryable: true, status: 503, cause });
  }
}

/**
 * The store's data is damaged (a SQLite file that fails its integrity check or is not a database).
 * No retry can fix it: a person restores the file from a backup or moves it aside.
 */
export class StoreCorruptError extends BatonError {
  constructor(message: string, cause?: unknown) {
    super('store_corrupt', message, { retryable: false, status: 500, cause });
  }
}

/**
 * The store has no room left (a full disk, a database or partition at its size quota). Nothing was
 * written; retrying cannot help until someone frees or adds space.
 */
export class StoreFullError extends BatonError {
  constructor(message: string, cause?: unknown) {
    super('store_full', message, { retryable: false, status: 507, cause });
  }
}

/** The store refuses writes (a read-only file or mount, a read-only region or account). */
export class StoreReadOnlyError extends BatonError {
  constructor(message: string, cause?: unknown) {
    super('store_read_only', message, { retryable: false, status: 500, cause });
  }
}

/** One record the store was asked to write is over the store's own item size limit. Nothing was written. */
export class StoreItemTooLargeError extends BatonError {
  constructor(message: string, cause?: unknown) {
    super('store_item_too_large', message, { retryable: false, status: 413, cause });
  }
}

/** An event that no store item can hold, rejected before anything was written. */
export class EventTooLargeError extends BatonError {
  constructor(bytes: number, limit: number) {
    super(
      'event_too_large',
      `event of ${bytes} bytes exceeds this store's limit of ${limit} bytes; nothing was written`,
      {
        retryable: false,
        status: 413,
        details: { bytes, limit },
      },
    );
  }
}

/** The lease is held by another owner until `expiresAt`. */
export class LeaseHeldError extends BatonError {
  readonly expiresAt: number;
  constructor(owner: string, expiresAt: number) {
    super('lease_held', `session is being run by ${owner} until ${new Date(expiresAt).toISOString()}`, {
      retryable: true,
      status: 409,
      details: { owner, expiresAt },
    });
    this.expiresAt = expiresAt;
  }
}

/** This writer's lease was taken over (its fencing token is stale); it must stop writing. */
export class FencedError extends BatonError {
  constructor(message = 'the lease was taken over by another writer; this writer stopped') {
    super('fenced', message, { retryable: true, status: 409 });
  }
}

/**
 * A cancel was recorded that this run has not acted on: the step is not committed (its model
 * response or tool start would be work after the cancel), and the run finishes as cancelled.
 */
export class RunCancelledError extends BatonError {
  constructor(cancelSeq: number) {
    super('cancelled', `the run was cancelled (event ${cancelSeq}); this step was not committed`, {
      retryable: true,
      status: 409,
      details: { cancelSeq },
    });
  }
}

export class SessionNotFoundError extends BatonError {
  constructor(key: string) {
    super('session_not_found', `no session ${key}`, { status: 404, details: { session: key } });
  }
}

/** Input that can never succeed however often it is retried. */
export class ValidationError extends BatonError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('invalid_input', message, { status: 400, ...(details ? { details } : {}) });
  }
}

export class PayloadTooLargeError extends BatonError {
  constructor(bytes: number, limit: number) {
    super('payload_too_large', `payload of ${bytes} bytes exceeds the limit of ${limit} bytes`, {
      status: 413,
      details: { bytes, limit },
    });
  }
}

export class UnknownAgentError extends BatonError {
  constructor(name: string) {
    super('unknown_agent', `no agent named ${name}`, { status: 404, details: { agent: name } });
  }
}

/** A record written by a newer Baton than this one (its schema version is unknown here). */
export class SchemaVersionError extends BatonError {
  constructor(kind: string, version: unknown) {
    super('schema_version', `cannot read ${kind} of schema version ${String(version)}; upgrade Baton`, {
      status: 500,
    });
  }
}

/**
 * A stored record that is not what Baton wrote (tampered, truncated, or from another program).
 * No retry can fix it: the message is dead-lettered and the session needs a person.
 */
export class CorruptRecordError extends BatonError {
  constructor(kind: string, reason: string) {
    super('corrupt_record', `a stored ${kind} is corrupt: ${reason}`, {
      retryable: false,
      status: 500,
      details: { kind },
    });
  }
}

/** A model provider failed. `retryable` follows the provider (429, 5xx, timeouts). */
export class ModelError extends BatonError {
  constructor(
    message: string,
    options: { retryable: boolean; status?: number; cause?: unknown; provider?: string },
  ) {
    super('model_error', message, {
      retryable: options.retryable,
      status: 502,
      cause: options.cause,
      details: { provider: options.provider, upstreamStatus: options.status },
    });
  }
}

export function isBatonError(error: unknown): error is BatonError {
  return error instanceof BatonError;
}

/** Whether a retry can help: our own flag, else assume a transient failure. */
export function isRetryable(error: unknown): boolean {
  return isBatonError(error) ? error.retryable : true;
}
