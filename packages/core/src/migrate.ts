import { z } from 'zod';
import { CorruptRecordError, SchemaVersionError } from './errors.js';
import { SCHEMA_VERSION, type SessionEvent } from './events.js';
import type { Head } from './head.js';
import {
  expandEventRecord,
  expandHeadRecord,
  isEventRecord,
  isHeadRecord,
  repeatsResponseText,
} from './record-codec.js';
import type { DedupeRecord } from './store.js';
import { WEBHOOK_EVENTS } from './webhooks/webhook-config.js';

/**
 * The one place stored records are validated and upgraded. Every store passes what it read through
 * these functions, so a record written by an older Baton loads, and one written by a newer Baton
 * fails with a clear error instead of being misread.
 *
 * Schema history:
 * - v1: the first format. Heads had no `summarySeq` and no `usage`; model responses had no `latencyMs`.
 * - v2: adds those fields (defaults: null, zero usage, 0 ms).
 * - v3: the same fields, stored in the short form of record-codec.ts (short keys, defaults left
 *   out); a v3 record in the long form (an export) reads as well.
 */

const usage = z.object({
  inputTokens: z.number(),
  outputTokens: z.number(),
  cachedInputTokens: z.number().optional(),
});

const lease = z.object({ owner: z.string(), expiresAt: z.number(), epoch: z.number() });

const headSchema = z.object({
  v: z.literal(SCHEMA_VERSION),
  tenant: z.string(),
  sessionId: z.string(),
  agent: z.string(),
  // Optional since v2: heads stored before incarnations have none (see head.ts, incarnationOf).
  incarnation: z.string().min(1).optional(),
  version: z.number().int().nonnegative(),
  seq: z.number().int().nonnegative(),
  status: z.enum(['idle', 'running', 'waiting_approval', 'waiting_child', 'failed']),
  lease: lease.nullable(),
  leaseEpoch: z.number().int().nonnegative(),
  toolState: z.record(z.string(), z.unknown()),
  contextStart: z.number().int().positive(),
  summarySeq: z.number().int().positive().nullable(),
  lastInputSeq: z.number().int().nonnegative(),
  processedSeq: z.number().int().nonnegative(),
  runSteps: z.number().int().nonnegative(),
  cancelSeq: z.number().int().positive().optional(),
  usage,
  createdAt: z.number(),
  updatedAt: z.number(),
  traceparent: z.string().optional(),
  webhooks: z
    .array(
      z.object({
        id: z.string(),
        url: z.string(),
        events: z.array(z.enum(WEBHOOK_EVENTS)),
        secret: z.string(),
        createdAt: z.number(),
      }),
    )
    .optional(),
  schedules: z
    .array(z.object({ id: z.string(), dueAt: z.number(), seq: z.number().int().positive() }))
    .optional(),
  parent: z
    .object({
      sessionId: z.string(),
      callId: z.string(),
      responseSeq: z.number().int().positive(),
      depth: z.number().int().positive(),
      resultSeq: z.number().int().positive().optional(),
    })
    .optional(),
});

const KINDS = [
  'input',
  'model_response',
  'tool_intent',
  'tool_result',
  'interrupt',
  'decision',
  'cancel',
  'state_change',
  'summary',
  'error',
  'retry_scheduled',
  'continuation',
  'run_finished',
  'outbox',
  'outbox_sent',
  'outbox_attempt',
  'schedule_set',
  'schedule_cancelled',
] as const;

const eventEnvelope = z
  .object({
    v: z.number().int(),
    seq: z.number().int().positive(),
    at: z.number(),
    kind: z.enum(KINDS),
  })
  .passthrough();

const dedupe = z.object({ v: z.number().int(), dedupeKey: z.string(), result: z.unknown(), at: z.number() });

function version(kind: string, raw: unknown): number {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new CorruptRecordError(
      kind,
      `expected an object, found ${Array.isArray(raw) ? 'an array' : typeof raw}`,
    );
  }
  const v = (raw as { v?: unknown }).v;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new CorruptRecordError(kind, `its schema version is ${JSON.stringify(v)}`);
  }
  if (v > SCHEMA_VERSION) throw new SchemaVersionError(kind, v);
  return v;
}

/** Validates with `schema`, turning a mismatch into a CorruptRecordError that names the fields. */
function validated<T>(kind: string, schema: z.ZodType<T>, record: unknown): T {
  const parsed = schema.safeParse(record);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new CorruptRecordError(kind, issues.join('; '));
}

/** Validates and upgrades a stored head. */
export function parseHead(raw: unknown): Head {
  let record = raw as Record<string, unknown>;
  const v = version('head', raw);
  if (v === 1) record = { ...record, summarySeq: null, usage: { inputTokens: 0, outputTokens: 0 } };
  else if (isHeadRecord(record)) record = expandHeadRecord(record);
  return validated('head', headSchema, { ...record, v: SCHEMA_VERSION }) as Head;
}

/**
 * Validates and upgrades a stored event. A `run_finished` stored without its text needs the event
 * before it: read such records with `parseEvents`.
 */
export function parseEvent(raw: unknown): SessionEvent {
  if (repeatsResponseText(raw)) {
    throw new CorruptRecordError('event', 'a run_finished stored without its text is read with parseEvents');
  }
  return parseOne(raw);
}

function parseOne(raw: unknown): SessionEvent {
  let record = raw as Record<string, unknown>;
  const v = version('event', raw);
  if (v === 1) {
    record = { ...record };
    if (record.kind === 'model_response' && record.latencyMs === undefined) record.latencyMs = 0;
  } else if (isEventRecord(record)) record = expandEventRecord(record);
  return validated('event', eventEnvelope, { ...record, v: SCHEMA_VERSION }) as unknown as SessionEvent;
}

/**
 * Validates and upgrades stored events given in seq order. A `run_finished` stored without the
 * text it repeats (record-codec.ts, eventRecords) gets it back from the model response before it:
 * the previous record, or `before` for the first (see `eventNeededBefore`).
 */
export function parseEvents(records: readonly unknown[], before?: SessionEvent): SessionEvent[] {
  const events: SessionEvent[] = [];
  let previous = before;
  for (const record of records) {
    let event = parseOne(record);
    if (repeatsResponseText(record)) {
      if (previous?.kind !== 'model_response' || previous.seq !== event.seq - 1) {
        throw new CorruptRecordError(
          'event',
          `run_finished ${event.seq} was stored without its text, and the model response before it was not read with it`,
        );
      }
      event = { ...event, text: previous.text } as SessionEvent;
    }
    events.push(event);
    previous = event;
  }
  return events;
}

/**
 * The seq of the event a store must read and pass to `parseEvents` as `before`, when the first of
 * `records` takes its text from it; null when the records stand alone (almost always: a read has
 * to start right after a model response for this to happen).
 */
export function eventNeededBefore(records: readonly unknown[]): number | null {
  const first = records[0];
  if (!repeatsResponseText(first)) return null;
  const seq = (first as Record<string, unknown>).s;
  return typeof seq === 'number' ? seq - 1 : null;
}

export function parseDedupe(raw: unknown): DedupeRecord {
  version('dedupe record', raw);
  return { ...(validated('dedupe record', dedupe, raw) as DedupeRecord), v: SCHEMA_VERSION };
}
