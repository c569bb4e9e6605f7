import {
  type Head,
  SCHEMA_VERSION,
  type SessionEvent,
  type SessionRef,
  type SessionStore,
} from '@baton/core';
import { type CommitRequest, newHead } from '@baton/core/store';

/** For this package's tests only: commits built the way core builds them. */

export function inputEvent(seq: number, text: string, at = 1_000): SessionEvent {
  return { kind: 'input', text, source: 'test', v: SCHEMA_VERSION, seq, at };
}

/** The commit that appends `events` to `head` (or creates the session when head is null). */
export function appendRequest(
  ref: SessionRef,
  head: Head | null,
  texts: string[],
  options: { at?: number; dedupeKey?: string; patch?: Partial<Head> } = {},
): CommitRequest {
  const at = options.at ?? 1_000;
  const base = head ?? newHead(ref.tenant, ref.sessionId, 'agent', at);
  const events = texts.map((text, index) => inputEvent(base.seq + index + 1, text, at));
  const next: Head = {
    ...base,
    version: base.version + 1,
    seq: base.seq + texts.length,
    lastInputSeq: base.seq + texts.length,
    updatedAt: at,
    ...options.patch,
  };
  return {
    ref,
    expectedVersion: head ? head.version : null,
    head: next,
    events,
    ...(options.dedupeKey ? { dedupe: { dedupeKey: options.dedupeKey, result: { seq: next.seq } } } : {}),
  };
}

/** Commits and returns the new head. */
export async function append(
  store: SessionStore,
  ref: SessionRef,
  head: Head | null,
  texts: string[],
  options: { at?: number; dedupeKey?: string; patch?: Partial<Head> } = {},
): Promise<Head> {
  const request = appendRequest(ref, head, texts, options);
  await store.commit(request);
  return request.head;
}
