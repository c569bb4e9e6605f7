import type { Clock } from './clock.js';
import { ConflictError, DuplicateError, ValidationError } from './errors.js';
import { type EventBody, SCHEMA_VERSION, type SessionEvent } from './events.js';
import { type Head, newHead } from './head.js';
import type { Json, JsonObject } from './json.js';
import { refKey, type SessionRef } from './session-ref.js';
import type { SessionStore } from './store.js';

/**
 * Appends by writers that do not hold the lease (triggers, failure records). Each is one commit
 * conditional on the head version, retried on conflict; a lease holder lands its steps on top.
 */
export interface AppendTarget {
  store: SessionStore;
  clock: Clock;
}

/** Appends one input-like event as a non-holder: conditional on the head version, retried on conflict. */
export async function appendInput(
  target: AppendTarget,
  ref: SessionRef,
  body: EventBody,
  options: {
    agent: string;
    dedupeKey?: string;
    dedupeResult?: JsonObject;
    requireAgent?: string | undefined;
  },
): Promise<{ seq: number; duplicate: boolean }> {
  for (let attempt = 0; attempt < 50; attempt++) {
    if (options.dedupeKey) {
      const earlier = await target.store.getDedupe(ref, options.dedupeKey);
      if (earlier) return { seq: Number((earlier.result as { seq?: number }).seq ?? 0), duplicate: true };
    }
    const now = target.clock.now();
    const head = (await target.store.readHead(ref)) ?? newHead(ref.tenant, ref.sessionId, options.agent, now);
    if (options.requireAgent && head.agent !== options.requireAgent) {
      throw new ValidationError(
        `session ${refKey(ref)} belongs to agent ${head.agent}, not ${options.requireAgent}`,
        {
          field: 'agent',
        },
      );
    }
    const seq = head.seq + 1;
    const next: Head = {
      ...head,
      v: SCHEMA_VERSION,
      version: head.version + 1,
      seq,
      lastInputSeq: seq,
      status: head.status === 'waiting_approval' ? 'waiting_approval' : 'running',
      updatedAt: now,
    };
    const event = { ...body, v: SCHEMA_VERSION, seq, at: now } as SessionEvent;
    const dedupeResult: Json = { seq, ...options.dedupeResult };
    try {
      await target.store.commit({
        ref,
        expectedVersion: head.version === 0 ? null : head.version,
        head: next,
        events: [event],
        ...(options.dedupeKey ? { dedupe: { dedupeKey: options.dedupeKey, result: dedupeResult } } : {}),
      });
      return { seq, duplicate: false };
    } catch (error) {
      if (error instanceof DuplicateError) {
        return { seq: Number((error.original.result as { seq?: number }).seq ?? 0), duplicate: true };
      }
      if (!(error instanceof ConflictError)) throw error;
    }
  }
  throw new ConflictError(`session ${refKey(ref)} is too busy; try again`);
}

export type FailureRecord = 'recorded' | 'duplicate' | 'no_session';

/**
 * Records on the session why work stopped being retried (a poison message, an unknown agent, a
 * model error no retry fixes): an `error` event and, when no live lease is held, `run_finished`
 * (failed) with the status set to failed, so a client polling the session sees the reason instead
 * of a run that never ends. Deduplicated on `dedupeKey`; a live lease is left alone (its holder's
 * next commit lands on top).
 */
export async function recordFailure(
  target: AppendTarget,
  ref: SessionRef,
  failure: { code: string; message: string; dedupeKey: string },
): Promise<FailureRecord> {
  for (let attempt = 0; attempt < 50; attempt++) {
    if (await target.store.getDedupe(ref, failure.dedupeKey)) return 'duplicate';
    const head = await target.store.readHead(ref);
    if (!head) return 'no_session';
    const now = target.clock.now();
    const leaseLive = head.lease !== null && head.lease.expiresAt > now;
    const bodies: EventBody[] = [
      { kind: 'error', code: failure.code, message: failure.message.slice(0, 2000), retryable: false },
    ];
    if (!leaseLive) bodies.push({ kind: 'run_finished', reason: 'failed', text: '' });
    const events = bodies.map(
      (body, index) => ({ ...body, v: SCHEMA_VERSION, seq: head.seq + 1 + index, at: now }) as SessionEvent,
    );
    const next: Head = {
      ...head,
      v: SCHEMA_VERSION,
      version: head.version + 1,
      seq: head.seq + events.length,
      updatedAt: now,
      ...(leaseLive ? {} : { status: 'failed' as const, lease: null, runSteps: 0 }),
    };
    if (!leaseLive) delete next.traceparent;
    try {
      await target.store.commit({
        ref,
        expectedVersion: head.version,
        head: next,
        events,
        dedupe: { dedupeKey: failure.dedupeKey, result: { seq: next.seq } },
      });
      return 'recorded';
    } catch (error) {
      if (error instanceof DuplicateError) return 'duplicate';
      if (!(error instanceof ConflictError)) throw error;
    }
  }
  throw new ConflictError(`session ${refKey(ref)} kept changing while recording a failure`);
}
