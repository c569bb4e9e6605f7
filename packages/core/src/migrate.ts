import { z } from 'zod';
import { CorruptRecordError, SchemaVersionError } from './errors.js';
import { SCHEMA_VERSION, type SessionEvent } from './events.js';
import type { Head } from './head.js';
import type { DedupeRecord } from './store.js';

/**
 * The one place stored records are validated and upgraded. Every store passes what it read through
 * these functions, so a record written by an older Baton loads, and one written by a newer Baton
 * fails with a clear error instead of being misread.
 *
 * Schema history:
 * - v1: the first format. Heads had no `summarySeq` and no `usage`; model responses had no `latencyMs`.
 * - v2: adds those fields (defaults: null, zero usage, 0 ms).
 */

const usage = z.object({
  inputTokens: z.number(),
  outputTokens: z.number(),
  cachedInputTokens: z.number().optional(),
});

const lease = z.object({ owner: z.string(), expiresAt: z.number(), epoch: z.number() });

const headV2 = z.object({
  v: z.literal(2),
  tenant: z.string(),
  sessionId: z.string(),
  agent: z.string(),
  // Optional within v2: heads stored before incarnations have none (see head.ts, incarnationOf).
  incarnation: z.string().min(1).optional(),
  version: z.number().int().nonnegative(),
  seq: z.number().int().nonnegative(),
  status: z.enum(['idle', 'running', 'waiting_approval', 'failed']),
  lease: lease.nullable(),
  leaseEpoch: z.number().int().nonnegative(),
  toolState: z.record(z.string(), z.unknown()),
  contextStart: z.number().int().positive(),
  summarySeq: z.number().int().positive().nullable(),
  lastInputSeq: z.number().int().nonnegative(),
  processedSeq: z.number().int().nonnegative(),
  runSteps: z.number().int().nonnegative(),
  usage,
  createdAt: z.number(),
  updatedAt: z.number(),
  traceparent: z.string().optional(),
});

const KINDS = [
  'input',
  'model_response',
  'tool_intent',
  'tool_result',
  'interrupt',
  'decision',
  'state_change',
  'summary',
  'error',
  'retry_scheduled',
  'continuation',
  'run_finished',
  'outbox',
  'outbox_sent',
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
  if (version('head', raw) === 1) {
    record = { ...record, v: 2, summarySeq: null, usage: { inputTokens: 0, outputTokens: 0 } };
  }
  return validated('head', headV2, record) as Head;
}

/** Validates and upgrades a stored event. */
export function parseEvent(raw: unknown): SessionEvent {
  let record = raw as Record<string, unknown>;
  if (version('event', raw) === 1) {
    record = { ...record, v: 2 };
    if (record.kind === 'model_response' && record.latencyMs === undefined) record.latencyMs = 0;
  }
  return validated('event', eventEnvelope, record) as unknown as SessionEvent;
}

export function parseDedupe(raw: unknown): DedupeRecord {
  version('dedupe record', raw);
  return { ...(validated('dedupe record', dedupe, raw) as DedupeRecord), v: SCHEMA_VERSION };
}
