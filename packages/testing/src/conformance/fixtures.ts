import {
  type Clock,
  type EventBody,
  type Head,
  type Json,
  type ListQuery,
  SCHEMA_VERSION,
  type SessionEvent,
  type SessionRef,
  type SessionStore,
} from '@baton/core';
import { newHead } from '@baton/core/store';
import { expect } from 'vitest';

/** Numbers bodies into stored events from `firstSeq` on, all committed at `at`. */
export function numberEvents(bodies: readonly EventBody[], firstSeq: number, at: number): SessionEvent[] {
  return bodies.map((body, index) => ({ ...body, v: SCHEMA_VERSION, seq: firstSeq + index, at }));
}

/** The head after appending `events` to `head`, the way the loop builds it. */
export function nextHead(
  head: Head,
  events: readonly SessionEvent[],
  at: number,
  patch: Partial<Head> = {},
): Head {
  const inputs = events.filter((event) => event.kind === 'input' || event.kind === 'decision');
  return {
    ...head,
    version: head.version + 1,
    seq: head.seq + events.length,
    lastInputSeq: inputs.at(-1)?.seq ?? head.lastInputSeq,
    updatedAt: at,
    ...patch,
  };
}

export interface Written {
  head: Head;
  events: SessionEvent[];
}

export interface WriteOptions {
  patch?: Partial<Head>;
  dedupe?: { dedupeKey: string; result: Json };
}

/** Creates a session (expectedVersion null) holding `bodies`. */
export async function createSession(
  store: SessionStore,
  ref: SessionRef,
  clock: Clock,
  bodies: readonly EventBody[] = [],
  options: WriteOptions = {},
): Promise<Written> {
  const at = clock.now();
  const events = numberEvents(bodies, 1, at);
  const head = nextHead(
    newHead(ref.tenant, ref.sessionId, 'conformance-agent', at),
    events,
    at,
    options.patch,
  );
  await store.commit({ ref, expectedVersion: null, head, events, ...dedupeOf(options) });
  return { head, events };
}

/** Commits `bodies` on top of `head`, conditioned on its version. */
export async function appendEvents(
  store: SessionStore,
  head: Head,
  clock: Clock,
  bodies: readonly EventBody[],
  options: WriteOptions = {},
): Promise<Written> {
  const at = clock.now();
  const events = numberEvents(bodies, head.seq + 1, at);
  const next = nextHead(head, events, at, options.patch);
  await store.commit({
    ref: refOf(head),
    expectedVersion: head.version,
    head: next,
    events,
    ...dedupeOf(options),
  });
  return { head: next, events };
}

function dedupeOf(options: WriteOptions): { dedupe?: { dedupeKey: string; result: Json } } {
  return options.dedupe ? { dedupe: options.dedupe } : {};
}

export function refOf(head: Head): SessionRef {
  return { tenant: head.tenant, sessionId: head.sessionId };
}

/** Everything a reader can see of one session, to compare before and after a refused commit. */
export async function stored(
  store: SessionStore,
  ref: SessionRef,
): Promise<{ head: Head | null; events: SessionEvent[] }> {
  return { head: await store.readHead(ref), events: await store.readEvents(ref) };
}

/** Awaits a promise that must fail with `type`, and returns the error for further checks. */
export async function rejection<T extends Error>(
  promise: Promise<unknown>,
  type: new (...args: never[]) => T,
): Promise<T> {
  const outcome = await promise.then(
    () => ({ failed: false as const }),
    (error: unknown) => ({ failed: true as const, error }),
  );
  if (!outcome.failed) throw new Error(`expected ${type.name}, but the call succeeded`);
  expect(outcome.error).toBeInstanceOf(type);
  return outcome.error as T;
}

export function input(text: string, extra: Partial<Extract<EventBody, { kind: 'input' }>> = {}): EventBody {
  return { kind: 'input', text, source: 'conformance', ...extra };
}

export function answer(text: string): EventBody {
  return {
    kind: 'model_response',
    text,
    toolCalls: [],
    usage: { inputTokens: 120, outputTokens: 9 },
    stopReason: 'end',
    provider: 'scripted',
    model: 'scripted-1',
    latencyMs: 640,
  };
}

/**
 * One body of every kind, with the shapes that trip serializers: empty strings and arrays, nulls,
 * nested objects, floats, booleans, optional fields present and absent.
 */
export function everyKind(tag: string): EventBody[] {
  return [
    {
      kind: 'input',
      text: `Hello ${tag} 👋`,
      source: 'http',
      sender: 'U024BE7LH',
      dedupeKey: `key-${tag}`,
      metadata: { channel: 'C1', thread: { ts: '1700000000.000100', replies: [1, 2.5, -3] }, empty: {} },
    },
    {
      kind: 'model_response',
      text: '',
      toolCalls: [
        { callId: `call_${tag}_1`, name: 'lookup', arguments: '{"q":"kiwi","limit":3}' },
        { callId: `call_${tag}_2`, name: 'charge', arguments: '{"amount":' },
      ],
      usage: { inputTokens: 1843, outputTokens: 61, cachedInputTokens: 1024 },
      stopReason: 'tool_calls',
      provider: 'scripted',
      model: 'scripted-1',
      latencyMs: 1207.5,
      providerState: { invocationId: `inv-${tag}`, turn: 2 },
    },
    { kind: 'tool_intent', callId: `call_${tag}_2`, name: 'charge' },
    {
      kind: 'tool_result',
      callId: `call_${tag}_1`,
      name: 'lookup',
      outcome: 'ok',
      output: { rows: [{ id: 1, name: 'kiwi', price: 0.25, tags: [] }], more: false, next: null },
      statePatch: { cart: ['kiwi'], coupon: null },
      durationMs: 35,
    },
    { kind: 'interrupt', reason: 'approval', callIds: [`call_${tag}_2`] },
    { kind: 'decision', callId: `call_${tag}_2`, approved: false, reason: 'over budget', by: 'U024BE7LH' },
    { kind: 'state_change', patch: { mode: 'strict', level: 3 }, by: 'console' },
    {
      kind: 'error',
      code: 'invalid_tool_arguments',
      message: 'arguments of charge are not JSON',
      retryable: false,
    },
    { kind: 'continuation', reason: 'deadline', nextStep: 'model' },
    { kind: 'summary', text: 'The user asked for kiwis; the charge was declined.', throughSeq: 3 },
    { kind: 'run_finished', reason: 'completed', text: 'Your cart holds one kiwi.' },
    { kind: 'outbox', messageId: `out-${tag}`, channel: 'slack', payload: { text: 'one kiwi', blocks: [] } },
    { kind: 'outbox_sent', messageId: `out-${tag}`, receipt: { ts: '1700000001.000200' } },
  ];
}

/** Follows cursors to the end, checking every page respects the limit; fails instead of looping forever. */
export async function listAll(store: SessionStore, query: ListQuery = {}): Promise<Head[]> {
  const heads: Head[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 1000; page++) {
    const result = await store.list({ ...query, ...(cursor === undefined ? {} : { cursor }) });
    if (query.limit !== undefined) expect(result.sessions.length).toBeLessThanOrEqual(query.limit);
    heads.push(...result.sessions);
    if (result.cursor === undefined) return heads;
    expect(result.cursor).not.toBe(cursor);
    cursor = result.cursor;
  }
  throw new Error('list returned a cursor on 1000 pages in a row');
}
