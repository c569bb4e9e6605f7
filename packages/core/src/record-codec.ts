import { SCHEMA_VERSION, type SessionEvent } from './events.js';
import type { Head } from './head.js';
import type { Json, JsonObject } from './json.js';
import type { CommitRequest } from './store.js';

/**
 * How heads and events are stored (schema v3): every store writes `headRecord(head)` and
 * `eventRecords(events)` and reads them back through `parseHead` / `parseEvents` (migrate.ts), which
 * also read the long records of schema v1 and v2. The head is rewritten by every commit, so its
 * record is the bulk of what a turn writes beyond the conversation itself: the record uses short
 * keys and leaves out every field at its default (idle, no lease, empty tool state, no summary,
 * zero usage, no trace). Events keep their field names where they carry user data and shorten the
 * envelope and the fields every model response repeats. Decoding restores exactly what was
 * encoded, so a store hands back the head and events it was given.
 *
 * Only the keys Baton itself names are shortened: user data (tool state, tool output, metadata,
 * payloads, provider state) is stored as it is.
 */

/** Long field name to its stored short key, for the head. */
const HEAD_KEYS = {
  tenant: 't',
  sessionId: 'id',
  agent: 'a',
  incarnation: 'i',
  version: 'n',
  seq: 's',
  status: 'st',
  lease: 'l',
  leaseEpoch: 'le',
  toolState: 'ts',
  contextStart: 'cs',
  summarySeq: 'ss',
  lastInputSeq: 'li',
  processedSeq: 'ps',
  runSteps: 'rs',
  cancelSeq: 'cq',
  usage: 'u',
  createdAt: 'c',
  updatedAt: 'm',
  traceparent: 'tp',
  webhooks: 'wh',
  schedules: 'sch',
  parent: 'pa',
} as const satisfies Record<Exclude<keyof Head, 'v'>, string>;

/** Long field name to its stored short key, for events (the envelope and the repeated fields). */
const EVENT_KEYS: Readonly<Record<string, string>> = {
  seq: 's',
  at: 't',
  kind: 'k',
  text: 'x',
  source: 'so',
  toolCalls: 'tc',
  usage: 'u',
  stopReason: 'sr',
  provider: 'p',
  model: 'm',
  latencyMs: 'lm',
  contextThrough: 'ct',
  callId: 'c',
  name: 'n',
  outcome: 'oc',
  durationMs: 'd',
};

const EVENT_KINDS: Readonly<Record<string, string>> = {
  input: 'in',
  model_response: 'mr',
  tool_intent: 'ti',
  tool_result: 'tr',
  interrupt: 'ir',
  decision: 'de',
  cancel: 'ca',
  state_change: 'sc',
  summary: 'su',
  error: 'er',
  retry_scheduled: 'rt',
  continuation: 'co',
  run_finished: 'rf',
  outbox: 'ob',
  outbox_sent: 'os',
  outbox_attempt: 'oa',
  schedule_set: 'ss',
  schedule_cancelled: 'sx',
};

const USAGE_KEYS: Readonly<Record<string, string>> = {
  inputTokens: 'i',
  outputTokens: 'o',
  cachedInputTokens: 'c',
};
const CALL_KEYS: Readonly<Record<string, string>> = { callId: 'c', name: 'n', arguments: 'a' };
const LEASE_KEYS: Readonly<Record<string, string>> = { owner: 'o', expiresAt: 'x', epoch: 'e' };

/** The schema version whose stored records are in this short form. */
const RECORD_VERSION = SCHEMA_VERSION;

function inverse(keys: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  return Object.fromEntries(Object.entries(keys).map(([long, short]) => [short, long]));
}

const HEAD_LONG = inverse(HEAD_KEYS);
const EVENT_LONG = inverse(EVENT_KEYS);
const KIND_LONG = inverse(EVENT_KINDS);
const USAGE_LONG = inverse(USAGE_KEYS);
const CALL_LONG = inverse(CALL_KEYS);
const LEASE_LONG = inverse(LEASE_KEYS);

function renamed(record: Record<string, unknown>, keys: Readonly<Record<string, string>>): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(record)) {
    if (value !== undefined) out[keys[key] ?? key] = value as Json;
  }
  return out;
}

function zeroUsage(usage: Head['usage']): boolean {
  return usage.inputTokens === 0 && usage.outputTokens === 0 && usage.cachedInputTokens === undefined;
}

/**
 * The stored record of a head: short keys, fields at their defaults left out.
 *
 * @example
 * JSON.stringify(headRecord(head)) // '{"v":3,"t":"acme","id":"s1","a":"support",...}'
 */
export function headRecord(head: Head): JsonObject {
  const { v: _v, lease, usage, ...rest } = head;
  const fields: Record<string, unknown> = { ...rest };
  if (lease) {
    const { epoch, ...held } = lease;
    // A lease's epoch is the last one granted (leaseEpoch); stored only where it is not.
    fields.lease = renamed(epoch === head.leaseEpoch ? held : lease, LEASE_KEYS);
  }
  if (!zeroUsage(usage)) fields.usage = renamed({ ...usage }, USAGE_KEYS);
  if (Object.keys(head.toolState).length === 0) delete fields.toolState;
  if (head.contextStart === 1) delete fields.contextStart;
  if (head.summarySeq === null) delete fields.summarySeq;
  if (head.status === 'idle') delete fields.status;
  if (head.updatedAt === head.createdAt) delete fields.updatedAt;
  for (const key of ['seq', 'leaseEpoch', 'lastInputSeq', 'processedSeq', 'runSteps'] as const) {
    if (head[key] === 0) delete fields[key];
  }
  return { v: RECORD_VERSION, ...renamed(fields, HEAD_KEYS) };
}

/** Whether a stored head is in the short form of `headRecord` (older and exported heads are long). */
export function isHeadRecord(record: Record<string, unknown>): boolean {
  return record.v === RECORD_VERSION && 'a' in record && !('agent' in record);
}

/** The head fields of a short record, defaults filled in; `parseHead` validates the result. */
export function expandHeadRecord(record: Record<string, unknown>): Record<string, unknown> {
  const head = renamed(record, HEAD_LONG) as Record<string, unknown>;
  const lease = head.lease as Record<string, unknown> | undefined;
  const usage = head.usage as Record<string, unknown> | undefined;
  const long: Record<string, unknown> = {
    seq: 0,
    status: 'idle',
    leaseEpoch: 0,
    lastInputSeq: 0,
    processedSeq: 0,
    runSteps: 0,
    toolState: {},
    contextStart: 1,
    summarySeq: null,
    updatedAt: head.createdAt,
    ...head,
    lease: null,
    usage: usage ? renamed(usage, USAGE_LONG) : { inputTokens: 0, outputTokens: 0 },
  };
  if (lease && typeof lease === 'object') {
    const expanded = renamed(lease, LEASE_LONG);
    long.lease = { ...expanded, epoch: expanded.epoch ?? long.leaseEpoch };
  }
  return long;
}

/**
 * The stored record of an event: the envelope and Baton's own fields under short keys; of a model
 * response, an empty text or tool call list and a `contextThrough` of the event before it left out.
 *
 * @example
 * JSON.stringify(eventRecord(event)) // '{"v":3,"s":4,"t":1767225600000,"k":"in","x":"Hi","so":"http"}'
 */
export function eventRecord(event: SessionEvent): JsonObject {
  const { v: _v, ...fields } = event as SessionEvent & Record<string, unknown>;
  const out: Record<string, unknown> = { ...fields, kind: EVENT_KINDS[event.kind] ?? event.kind };
  if (event.kind === 'model_response') {
    if (event.text === '') delete out.text;
    if (event.toolCalls.length === 0) delete out.toolCalls;
    else out.toolCalls = event.toolCalls.map((call) => renamed({ ...call }, CALL_KEYS));
    out.usage = renamed({ ...event.usage }, USAGE_KEYS);
    // Usually the model saw everything before its response: stored only when not, null when unknown.
    if (event.contextThrough === event.seq - 1) delete out.contextThrough;
    else if (event.contextThrough === undefined) out.contextThrough = null;
  }
  return { v: RECORD_VERSION, ...renamed(out, EVENT_KEYS) };
}

/** Whether a stored event is in the short form of `eventRecord`. */
export function isEventRecord(record: Record<string, unknown>): boolean {
  return record.v === RECORD_VERSION && 'k' in record && !('kind' in record);
}

/** The event fields of a short record, defaults filled in; `parseEvent` validates the result. */
export function expandEventRecord(record: Record<string, unknown>): Record<string, unknown> {
  const event = renamed(record, EVENT_LONG) as Record<string, unknown>;
  const kind = typeof event.kind === 'string' ? (KIND_LONG[event.kind] ?? event.kind) : event.kind;
  const long: Record<string, unknown> = { ...event, kind };
  if (kind === 'model_response') {
    long.text = event.text ?? '';
    const calls = Array.isArray(event.toolCalls) ? (event.toolCalls as Record<string, unknown>[]) : [];
    long.toolCalls = calls.map((call) => renamed(call, CALL_LONG));
    if (event.usage && typeof event.usage === 'object') {
      long.usage = renamed(event.usage as Record<string, unknown>, USAGE_LONG);
    }
    if (event.contextThrough === null) delete long.contextThrough;
    else if (event.contextThrough === undefined && typeof event.seq === 'number') {
      long.contextThrough = event.seq - 1;
    }
  }
  return long;
}

/**
 * The stored records of a commit's events, in order. A `run_finished` right after the model
 * response it finishes repeats that response's text: its record leaves the text out, and
 * `parseEvents` takes it back from the response (which every store keeps in the same commit).
 *
 * @example
 * eventRecords([response, finished]) // [{..., k: 'mr', x: 'Done.'}, {..., k: 'rf', reason: 'completed'}]
 */
export function eventRecords(events: readonly SessionEvent[]): JsonObject[] {
  return events.map((event, index) => {
    const record = eventRecord(event);
    const before = events[index - 1];
    if (
      event.kind === 'run_finished' &&
      before?.kind === 'model_response' &&
      before.seq === event.seq - 1 &&
      before.text === event.text
    ) {
      delete record[EVENT_KEYS.text!];
    }
    return record;
  });
}

/** Whether a stored record is a `run_finished` whose text is the model response's before it. */
export function repeatsResponseText(record: unknown): boolean {
  if (record === null || typeof record !== 'object') return false;
  const short = record as Record<string, unknown>;
  return isEventRecord(short) && short.k === EVENT_KINDS.run_finished && !('x' in short);
}

/**
 * The stored records of a commit, as every store writes them: the measure of what a commit costs
 * (the benchmarks and write-cost tests count these bytes).
 */
export function commitRecords(request: Pick<CommitRequest, 'head' | 'events'>): {
  head: JsonObject;
  events: JsonObject[];
} {
  return { head: headRecord(request.head), events: eventRecords(request.events) };
}
