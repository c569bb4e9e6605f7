import { createHash, randomUUID } from 'node:crypto';
import { Cron } from 'croner';
import { BatonError, ValidationError } from '../errors.js';
import type { EventOf } from '../events.js';

/** Most active schedules one session may hold: the head carries one small slot per schedule. */
export const MAX_SCHEDULES = 20;
/** Longest schedule text, in UTF-8 bytes: it is stored once in the log and appended at every firing. */
export const MAX_SCHEDULE_TEXT_BYTES = 4_096;
/** A cron rule may not fire more often than this: every firing is a model run. */
export const MIN_CRON_INTERVAL_MS = 60_000;
/** How far ahead a one-off schedule may be set (a year), so a typo in `at` is caught. */
export const MAX_SCHEDULE_AHEAD_MS = 366 * 24 * 3600_000;

/** What a caller asks for: the text to append and exactly one of `at`, `delayMs` or `cron`. */
export interface ScheduleRequest {
  text: string;
  /** Epoch ms, or an ISO 8601 time with its offset. */
  at?: number | string;
  delayMs?: number;
  /** Five fields (minute precision) or six (with seconds); `@daily` and friends too. */
  cron?: string;
  /** IANA name for the cron rule's wall clock; default UTC. */
  timezone?: string;
}

/** A validated schedule: the body of its `schedule_set` event. */
export type ScheduleDefinition = Omit<EventOf<'schedule_set'>, 'v' | 'seq' | 'at' | 'kind'>;

/** A schedule as the API lists it. */
export interface ScheduleView {
  scheduleId: string;
  text: string;
  kind: 'once' | 'cron';
  cron?: string;
  timezone?: string;
  /** ISO time of the next firing. */
  nextAt: string;
  by: string;
  createdAt: string;
}

/**
 * Checks a request against the rules (one of at / delayMs / cron, not in the past, a cron rule no
 * more often than once a minute, a known time zone, text within MAX_SCHEDULE_TEXT_BYTES) and gives
 * its definition; a ValidationError says what to change.
 *
 * @example
 * const definition = scheduleDefinition({ text: 'stretch', delayMs: 10_000 }, { now: Date.now(), by: 'api:me' });
 */
export function scheduleDefinition(
  request: ScheduleRequest,
  options: { now: number; by: string; scheduleId?: string },
): ScheduleDefinition {
  const { now } = options;
  if (typeof request.text !== 'string' || request.text.trim() === '') {
    throw new ValidationError('text must be a non-empty string: the input the schedule appends', {
      field: 'text',
    });
  }
  const bytes = Buffer.byteLength(request.text, 'utf8');
  if (bytes > MAX_SCHEDULE_TEXT_BYTES) {
    throw new BatonError(
      'payload_too_large',
      `the schedule's text is ${bytes} bytes; the limit is ${MAX_SCHEDULE_TEXT_BYTES}`,
      { status: 413, details: { field: 'text', bytes, limit: MAX_SCHEDULE_TEXT_BYTES } },
    );
  }
  const given = (['at', 'delayMs', 'cron'] as const).filter((key) => request[key] !== undefined);
  if (given.length !== 1) {
    throw new ValidationError(
      `give exactly one of at (a time), delayMs / delaySeconds (from now) or cron (a rule); got ${given.length === 0 ? 'none' : given.join(', ')}`,
      { field: 'at' },
    );
  }
  const base = {
    scheduleId: options.scheduleId ?? `sch_${randomUUID().replaceAll('-', '').slice(0, 20)}`,
    text: request.text,
    by: options.by,
  };
  if (request.cron !== undefined) {
    const timezone = request.timezone ?? 'UTC';
    const dueAt = nextOccurrence({ cron: request.cron, timezone }, now, true);
    return { ...base, dueAt, cron: request.cron, ...(request.timezone ? { timezone } : {}) };
  }
  if (request.timezone !== undefined) {
    throw new ValidationError('timezone applies to cron rules only; give at with an offset instead', {
      field: 'timezone',
    });
  }
  const dueAt = request.delayMs !== undefined ? now + checkedDelay(request.delayMs) : timeOf(request.at!);
  if (dueAt <= now) {
    throw new ValidationError(`at ${new Date(dueAt).toISOString()} is in the past; give a future time`, {
      field: 'at',
    });
  }
  if (dueAt - now > MAX_SCHEDULE_AHEAD_MS) {
    throw new ValidationError('at is more than a year ahead; give a nearer time or a cron rule', {
      field: 'at',
    });
  }
  return { ...base, dueAt };
}

/**
 * The first occurrence of a cron rule after `after` (epoch ms). With `check`, also refuses a rule
 * that fires more often than MIN_CRON_INTERVAL_MS or never again.
 *
 * @example
 * nextOccurrence({ cron: '0 9 * * *', timezone: 'Europe/Paris' }, Date.now()) // tomorrow 09:00 in Paris
 */
export function nextOccurrence(
  rule: { cron: string; timezone?: string },
  after: number,
  check = false,
): number {
  let cron: Cron;
  let runs: Date[];
  try {
    cron = new Cron(rule.cron, { timezone: rule.timezone ?? 'UTC' });
    runs = cron.nextRuns(2, new Date(after));
  } catch (error) {
    const reason = (error as Error).message.replace(/^Cron\w*: /, '');
    throw new ValidationError(`cron ${JSON.stringify(rule.cron)} is not a valid rule: ${reason}`, {
      field: /timezone/i.test(reason) ? 'timezone' : 'cron',
    });
  }
  const [first, second] = runs;
  if (!first) {
    throw new ValidationError(`cron ${JSON.stringify(rule.cron)} never fires again`, { field: 'cron' });
  }
  if (check && second && second.getTime() - first.getTime() < MIN_CRON_INTERVAL_MS) {
    throw new ValidationError(
      `cron ${JSON.stringify(rule.cron)} fires more often than once a minute; each firing is a model run`,
      { field: 'cron' },
    );
  }
  return first.getTime();
}

/** A schedule id stable across retries of the tool call that set it. */
export function toolScheduleId(idempotencyKey: string, index: number): string {
  return `sch_${createHash('sha256').update(`${idempotencyKey}#${index}`).digest('base64url').slice(0, 20)}`;
}

/** The key that makes one occurrence fire once: the firing's input commit records it. */
export function firingKey(scheduleId: string, dueAt: number): string {
  return `schedule:${scheduleId}:${dueAt}`;
}

function checkedDelay(delayMs: number): number {
  if (typeof delayMs !== 'number' || !Number.isFinite(delayMs) || delayMs <= 0) {
    throw new ValidationError('the delay must be a positive number', { field: 'delaySeconds' });
  }
  return Math.ceil(delayMs);
}

function timeOf(at: number | string): number {
  const ms = typeof at === 'number' ? at : Date.parse(at);
  if (!Number.isFinite(ms) || (typeof at === 'string' && !/[zZ]|[+-]\d\d:?\d\d$/.test(at))) {
    throw new ValidationError(
      `at must be epoch milliseconds or an ISO 8601 time with its offset (2026-12-24T09:00:00Z); got ${JSON.stringify(at)}`,
      { field: 'at' },
    );
  }
  return ms;
}
