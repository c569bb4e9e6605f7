import { createHash } from 'node:crypto';
import { BatonError, ConflictError, DuplicateError, SessionNotFoundError } from '../errors.js';
import type { EventOf } from '../events.js';
import { type Head, newHead, type ScheduleSlot } from '../head.js';
import { type CommitTarget, commitHead, retryConflicts } from '../head-commit.js';
import type { RunMessage, RunQueue } from '../queue.js';
import { refKey, type SessionRef } from '../session-ref.js';
import type { SessionStore } from '../store.js';
import {
  MAX_SCHEDULES,
  type ScheduleDefinition,
  type ScheduleRequest,
  type ScheduleView,
  scheduleDefinition,
} from './schedule-spec.js';

/** Where schedules are written and their wake-ups sent. `Baton` is one. */
export interface ScheduleTarget extends CommitTarget {
  queue: RunQueue;
}

/** The run message that fires one occurrence: visible at `dueAt`, keyed by the occurrence. */
export function wakeMessage(ref: SessionRef, scheduleId: string, dueAt: number): RunMessage {
  return {
    v: 1,
    tenant: ref.tenant,
    sessionId: ref.sessionId,
    reason: 'wake',
    dedupeKey: `wake:${refKey(ref)}:${scheduleId}:${dueAt}`,
    notBefore: dueAt,
    schedule: { id: scheduleId, dueAt },
  };
}

/**
 * Sends the wake-up of an occurrence, delayed to its time (each host's queue turns a longer delay
 * than it can hold into `notBefore`, which `deliver` honours without using up an attempt). Sent
 * BEFORE the commit that makes the occurrence due, so no crash leaves a due schedule without its
 * message; a message whose commit never happened finds no such occurrence and does nothing.
 */
export async function enqueueWake(
  target: ScheduleTarget,
  ref: SessionRef,
  scheduleId: string,
  dueAt: number,
): Promise<void> {
  const delayMs = Math.max(0, dueAt - target.clock.now());
  await target.queue.enqueue(wakeMessage(ref, scheduleId, dueAt), delayMs > 0 ? { delayMs } : undefined);
}

/** How late a slot may be before a caller that sees it sends its wake-up again. */
export const OVERDUE_MS = 15 * 60_000;

/**
 * Sends the wake-ups of slots overdue by more than OVERDUE_MS again: the net under a wake-up the
 * queue lost (a dead-lettered delivery, a purged queue). Called where a head is in hand anyway (a
 * run's end, a listing), so it costs no read; the occurrence's key keeps a second firing out.
 * Returns how many were sent.
 */
export async function rearmOverdue(target: ScheduleTarget, ref: SessionRef, head: Head): Promise<number> {
  const late = (head.schedules ?? []).filter((slot) => slot.dueAt < target.clock.now() - OVERDUE_MS);
  for (const slot of late) await enqueueWake(target, ref, slot.id, slot.dueAt);
  return late.length;
}

/** The head's slots with `change` applied; the field is left out when none remain. */
export function withSlots(head: Head, change: (slots: ScheduleSlot[]) => ScheduleSlot[]): Head {
  const slots = change(head.schedules ?? []);
  const next: Head = { ...head, schedules: slots };
  if (slots.length === 0) delete next.schedules;
  return next;
}

export interface SetSchedule {
  scheduleId: string;
  dueAt: number;
  duplicate: boolean;
}

/**
 * Validates and records a schedule on the session (created for `agent` when it does not exist):
 * its wake-up is enqueued first, then `schedule_set` and the head's slot are committed together.
 * With `idempotencyKey`, a repeat returns the first answer and the id is derived from the key.
 *
 * @example
 * const { scheduleId } = await setSchedule(baton, ref, { text: 'daily report', cron: '0 9 * * *' }, { agent: 'support', by: 'api:me' });
 */
export async function setSchedule(
  target: ScheduleTarget,
  ref: SessionRef,
  request: ScheduleRequest,
  options: { agent: string; by: string; idempotencyKey?: string; requireAgent?: string },
): Promise<SetSchedule> {
  const dedupeKey = options.idempotencyKey ? `schedule-set:${options.idempotencyKey}` : undefined;
  if (dedupeKey) {
    const earlier = await target.store.getDedupe(ref, dedupeKey);
    if (earlier) return { ...(earlier.result as { scheduleId: string; dueAt: number }), duplicate: true };
  }
  const definition = scheduleDefinition(request, {
    now: target.clock.now(),
    by: options.by,
    ...(dedupeKey ? { scheduleId: derivedId(ref, dedupeKey) } : {}),
  });
  await enqueueWake(target, ref, definition.scheduleId, definition.dueAt);
  const answer = { scheduleId: definition.scheduleId, dueAt: definition.dueAt };
  return retryConflicts(
    target.clock,
    async () => {
      const head =
        (await target.store.readHead(ref)) ??
        newHead(ref.tenant, ref.sessionId, options.agent, target.clock.now());
      if (options.requireAgent && head.agent !== options.requireAgent) {
        throw new BatonError('agent_mismatch', `session ${refKey(ref)} belongs to agent ${head.agent}`, {
          status: 400,
          details: { field: 'agent' },
        });
      }
      if ((head.schedules?.length ?? 0) >= MAX_SCHEDULES) {
        throw new BatonError(
          'too_many_schedules',
          `session ${refKey(ref)} already has ${MAX_SCHEDULES} schedules; cancel one first`,
          { status: 409 },
        );
      }
      try {
        await commitHead(target, ref, head, {
          events: [{ kind: 'schedule_set', ...definition }],
          update: (next) => withSlots(next, (slots) => [...slots, slotOf(definition, next.seq)]),
          ...(dedupeKey ? { dedupe: { dedupeKey, result: answer } } : {}),
        });
        return { ...answer, duplicate: false };
      } catch (error) {
        if (error instanceof DuplicateError) {
          return { ...(error.original.result as typeof answer), duplicate: true };
        }
        throw error;
      }
    },
    () => new ConflictError(`session ${refKey(ref)} is too busy; try again`),
  );
}

/**
 * Cancels an active schedule: `schedule_cancelled` and the slot's removal in one commit. Its
 * pending wake-up then finds no occurrence and does nothing.
 */
export function cancelSchedule(
  target: CommitTarget,
  ref: SessionRef,
  scheduleId: string,
  by: string,
): Promise<void> {
  return retryConflicts(
    target.clock,
    async () => {
      const head = await target.store.readHead(ref);
      if (!head) throw new SessionNotFoundError(refKey(ref));
      if (!head.schedules?.some((slot) => slot.id === scheduleId)) throw unknownSchedule(ref, scheduleId);
      await commitHead(target, ref, head, {
        events: [{ kind: 'schedule_cancelled', scheduleId, by }],
        update: (next) => withSlots(next, (slots) => slots.filter((slot) => slot.id !== scheduleId)),
      });
    },
    () => new ConflictError(`session ${refKey(ref)} is too busy; try again`),
  );
}

/**
 * The session's active schedules with their text and next time: the head, then one read per
 * schedule. An overdue one has its wake-up sent again (rearmOverdue).
 */
export async function listSchedules(target: ScheduleTarget, ref: SessionRef): Promise<ScheduleView[]> {
  const head = await target.store.readHead(ref);
  if (!head) throw new SessionNotFoundError(refKey(ref));
  await rearmOverdue(target, ref, head);
  const { store } = target;
  const views: ScheduleView[] = [];
  for (const slot of head.schedules ?? []) {
    const definition = await definitionAt(store, ref, slot);
    views.push({
      scheduleId: slot.id,
      text: definition.text,
      kind: definition.cron ? 'cron' : 'once',
      ...(definition.cron ? { cron: definition.cron, timezone: definition.timezone ?? 'UTC' } : {}),
      nextAt: new Date(slot.dueAt).toISOString(),
      by: definition.by,
      createdAt: new Date(definition.at).toISOString(),
    });
  }
  return views;
}

/** The `schedule_set` event a slot points at. */
export async function definitionAt(
  store: SessionStore,
  ref: SessionRef,
  slot: ScheduleSlot,
): Promise<EventOf<'schedule_set'>> {
  const [event] = await store.readEvents(ref, { afterSeq: slot.seq - 1, limit: 1 });
  if (event?.kind !== 'schedule_set' || event.scheduleId !== slot.id) {
    throw new BatonError('corrupt_record', `schedule ${slot.id} has no schedule_set event at ${slot.seq}`, {
      status: 500,
    });
  }
  return event;
}

export function unknownSchedule(ref: SessionRef, scheduleId: string): BatonError {
  return new BatonError('schedule_not_found', `session ${refKey(ref)} has no active schedule ${scheduleId}`, {
    status: 404,
    details: { scheduleId },
  });
}

function slotOf(definition: ScheduleDefinition, seq: number): ScheduleSlot {
  return { id: definition.scheduleId, dueAt: definition.dueAt, seq };
}

function derivedId(ref: SessionRef, dedupeKey: string): string {
  return `sch_${createHash('sha256')
    .update(`${refKey(ref)}\n${dedupeKey}`)
    .digest('base64url')
    .slice(0, 20)}`;
}
