import type { SessionEvent, SessionView } from '@baton/core';
import { SESSION_ID } from './cross-host-conversation.js';

/**
 * The conversation as it must read on every host, whatever number of invocations ran it.
 *
 * Dropped, because they legitimately depend on where a run was cut into invocations, or on a
 * host's clock, and on nothing the conversation said:
 * - `continuation` events: one per invocation that ran out of budget before the next step (none
 *   locally, where the run budget is 5 minutes; three on each cloud, where each invocation fits one
 *   model call).
 * - `seq`: continuation events shift every later number; the array position keeps the order.
 * - `at`: commit time on the host's clock.
 * - `latencyMs` (model_response) and `durationMs` (tool_result): measured on the host's clock
 *   (the cloud runs spend manual time in each model call, the local run does not).
 *
 * Translated rather than dropped, so what it says is still compared:
 * - `contextThrough` (model_response) and `throughSeq` (summary) are seqs of the log. Each becomes
 *   the number of transcript entries at or before that seq: how much of the conversation the
 *   model had seen, which must not depend on continuations.
 * - Keys derived from a tool call (`<tenant>/<session>/<seq of the model response>/<call id>`, the
 *   tools' idempotency keys, which the example agent's tools return) hold a seq too: it becomes the
 *   same count (callKeysAsPositions).
 *
 * Everything else, `v` (schema version), tool outputs, state patches, usage, dedupe keys, call ids
 * and the approval's `by` and `reason` included, is compared as the host returned it.
 */
export function transcript(events: SessionEvent[]): Record<string, unknown>[] {
  const kept = events.filter((event) => event.kind !== 'continuation');
  const seen = (seq: number) => kept.filter((event) => event.seq <= seq).length;
  return kept.map((event) => {
    const { seq: _seq, at: _at, ...rest } = event as SessionEvent & Record<string, unknown>;
    delete rest.latencyMs;
    delete rest.durationMs;
    if (typeof rest.contextThrough === 'number') rest.contextThrough = seen(rest.contextThrough);
    if (typeof rest.throughSeq === 'number') rest.throughSeq = seen(rest.throughSeq);
    return callKeysAsPositions(rest, events);
  });
}

/** A key derived from a tool call of the conversation's session: the seq sits between the session and the call id. */
const CALL_KEY = new RegExp(`(default/${SESSION_ID}/)(\\d+)/`, 'g');

/**
 * `value` (an event, the model requests) with the seq in each key derived from a tool call
 * replaced by `#<n>`, n the number of transcript entries at or before it in `events`.
 */
export function callKeysAsPositions<T>(value: T, events: SessionEvent[]): T {
  const kept = events.filter((event) => event.kind !== 'continuation');
  const seen = (seq: number) => kept.filter((event) => event.seq <= seq).length;
  const text = JSON.stringify(value).replace(
    CALL_KEY,
    (_key, prefix: string, seq: string) => `${prefix}#${seen(Number(seq))}/`,
  );
  return JSON.parse(text) as T;
}

/**
 * The session as a client sees it at the end, without what counts log entries (`seq`, which
 * includes the continuations) or reads the host's clock (`createdAt`, `updatedAt`).
 */
export function finalSession(session: SessionView): Omit<SessionView, 'seq' | 'createdAt' | 'updatedAt'> {
  const { seq: _seq, createdAt: _createdAt, updatedAt: _updatedAt, ...rest } = session;
  return rest;
}

export function continuations(events: SessionEvent[]): number {
  return events.filter((event) => event.kind === 'continuation').length;
}
