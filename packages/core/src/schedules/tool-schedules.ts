import { BatonError } from '../errors.js';
import type { EventBody } from '../events.js';
import type { Head, ScheduleSlot } from '../head.js';
import type { SessionRef } from '../session-ref.js';
import { enqueueWake, type ScheduleTarget, unknownSchedule, withSlots } from './schedule-commits.js';
import {
  MAX_SCHEDULES,
  type ScheduleDefinition,
  type ScheduleRequest,
  scheduleDefinition,
  toolScheduleId,
} from './schedule-spec.js';

/**
 * The schedules one tool call sets and cancels (`ctx.schedule`, `ctx.cancelSchedule`). Nothing is
 * written while the tool runs: the changes are committed with the call's result, so a call that is
 * run again (a crash before its result was written) sets the same schedule ids once, not twice.
 */
export class CallSchedules {
  readonly set: ScheduleDefinition[] = [];
  readonly cancelled: string[] = [];
  private made = 0;

  constructor(
    private readonly call: {
      ref: SessionRef;
      idempotencyKey: string;
      toolName: string;
      active: readonly ScheduleSlot[];
      now: () => number;
    },
  ) {}

  get empty(): boolean {
    return this.set.length === 0 && this.cancelled.length === 0;
  }

  schedule(request: ScheduleRequest): { scheduleId: string; dueAt: number } {
    const definition = scheduleDefinition(request, {
      now: this.call.now(),
      by: `tool:${this.call.toolName}`,
      scheduleId: toolScheduleId(this.call.idempotencyKey, this.made++),
    });
    if (this.call.active.length - this.cancelled.length + this.set.length >= MAX_SCHEDULES) {
      throw new BatonError('too_many_schedules', `the session already has ${MAX_SCHEDULES} schedules`, {
        status: 409,
      });
    }
    this.set.push(definition);
    return { scheduleId: definition.scheduleId, dueAt: definition.dueAt };
  }

  cancelSchedule(scheduleId: string): void {
    const mine = this.set.findIndex((definition) => definition.scheduleId === scheduleId);
    if (mine >= 0) {
      this.set.splice(mine, 1);
      return;
    }
    const active = this.call.active.some((slot) => slot.id === scheduleId);
    if (!active || this.cancelled.includes(scheduleId)) throw unknownSchedule(this.call.ref, scheduleId);
    this.cancelled.push(scheduleId);
  }

  /**
   * Enqueues the wake-ups of the schedules set (before the commit, as setSchedule does) and gives
   * the events and head change to commit right after the call's result, last in that commit.
   */
  async changes(target: ScheduleTarget): Promise<{ events: EventBody[]; update: (head: Head) => Head }> {
    for (const definition of this.set) {
      await enqueueWake(target, this.call.ref, definition.scheduleId, definition.dueAt);
    }
    const by = `tool:${this.call.toolName}`;
    const events: EventBody[] = [
      ...this.set.map((definition): EventBody => ({ kind: 'schedule_set', ...definition })),
      ...this.cancelled.map((scheduleId): EventBody => ({ kind: 'schedule_cancelled', scheduleId, by })),
    ];
    const set = this.set;
    const cancelled = new Set(this.cancelled);
    // These events are the commit's last: the first of them is at head.seq - events.length + 1.
    const update = (head: Head) =>
      withSlots(head, (slots) => [
        ...slots.filter((slot) => !cancelled.has(slot.id)),
        ...set.map((definition, index) => ({
          id: definition.scheduleId,
          dueAt: definition.dueAt,
          seq: head.seq - events.length + 1 + index,
        })),
      ]);
    return { events, update };
  }
}
