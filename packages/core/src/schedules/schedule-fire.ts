import { ConflictError, DuplicateError } from '../errors.js';
import type { Head } from '../head.js';
import { commitHead, retryConflicts } from '../head-commit.js';
import { refKey, type SessionRef } from '../session-ref.js';
import { definitionAt, enqueueWake, type ScheduleTarget, withSlots } from './schedule-commits.js';
import { firingKey, nextOccurrence } from './schedule-spec.js';

/**
 * - fired: this delivery appended the occurrence's input; the session has work.
 * - duplicate: another delivery fired it already (the dedupe record says so).
 * - stale: no such occurrence: cancelled, deleted, moved on, or its commit never happened.
 * - not_yet: the schedule may still be committed by the run holding the lease (a tool set it and
 *   its result is not written yet): come back when the lease ends.
 */
export type Firing =
  | { kind: 'fired'; seq: number; nextDueAt?: number }
  | { kind: 'duplicate' }
  | { kind: 'stale' }
  | { kind: 'not_yet'; retryAt: number };

/**
 * Fires one occurrence of a schedule, exactly once however often its wake-up is delivered and
 * wherever a delivery crashes. For a cron rule the next occurrence's wake-up is enqueued first;
 * then one commit appends the input (source `schedule`), moves or removes the head's slot and
 * records the key `schedule:<id>:<dueAt>`, so a second firing of the occurrence finds either a
 * slot that moved on or that key. A crash before the commit leaves the slot as it was and the
 * message undeleted: its next delivery fires it; a crash after leaves the key: the next delivery
 * does nothing but run the session.
 *
 * @example
 * const firing = await fireSchedule(baton, ref, message.schedule);
 */
export function fireSchedule(
  target: ScheduleTarget,
  ref: SessionRef,
  occurrence: { id: string; dueAt: number },
): Promise<Firing> {
  const key = firingKey(occurrence.id, occurrence.dueAt);
  return retryConflicts(
    target.clock,
    async (): Promise<Firing> => {
      const head = await target.store.readHead(ref);
      if (!head) return { kind: 'stale' };
      const slot = head.schedules?.find((candidate) => candidate.id === occurrence.id);
      if (!slot || slot.dueAt !== occurrence.dueAt) return missing(target, ref, head, key, !slot);
      const definition = await definitionAt(target.store, ref, slot);
      const now = target.clock.now();
      // Occurrences missed while nothing ran (an outage) fold into this one: the next is after now.
      const nextDueAt = definition.cron
        ? nextOccurrence(
            { cron: definition.cron, ...(definition.timezone ? { timezone: definition.timezone } : {}) },
            Math.max(now, occurrence.dueAt),
          )
        : undefined;
      if (nextDueAt !== undefined) await enqueueWake(target, ref, occurrence.id, nextDueAt);
      const seq = head.seq + 1;
      try {
        await commitHead(target, ref, head, {
          events: [
            {
              kind: 'input',
              text: definition.text,
              source: 'schedule',
              dedupeKey: key,
              metadata: { scheduleId: occurrence.id, dueAt: occurrence.dueAt },
            },
          ],
          update: (next) =>
            withSlots(
              {
                ...next,
                lastInputSeq: seq,
                status: next.status === 'waiting_approval' ? 'waiting_approval' : 'running',
              },
              (slots) =>
                slots.flatMap((candidate) =>
                  candidate.id !== occurrence.id
                    ? [candidate]
                    : nextDueAt === undefined
                      ? []
                      : [{ ...candidate, dueAt: nextDueAt }],
                ),
            ),
          dedupe: { dedupeKey: key, result: { seq } },
        });
      } catch (error) {
        if (error instanceof DuplicateError) return { kind: 'duplicate' };
        throw error;
      }
      return { kind: 'fired', seq, ...(nextDueAt !== undefined ? { nextDueAt } : {}) };
    },
    () => new ConflictError(`session ${refKey(ref)} kept changing while firing schedule ${occurrence.id}`),
  );
}

/**
 * No slot for the occurrence. A slot that exists with another time has moved on (fired, or set
 * again by a retried tool). A missing slot while a run holds the lease may be a tool's schedule not
 * written yet, unless the occurrence's key says it already fired.
 */
async function missing(
  target: ScheduleTarget,
  ref: SessionRef,
  head: Head,
  key: string,
  absent: boolean,
): Promise<Firing> {
  const lease = head.lease;
  if (!absent || !lease || lease.expiresAt <= target.clock.now()) return { kind: 'stale' };
  if (await target.store.getDedupe(ref, key)) return { kind: 'duplicate' };
  return { kind: 'not_yet', retryAt: lease.expiresAt };
}
