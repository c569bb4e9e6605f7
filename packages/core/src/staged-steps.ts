import { type EventBody, SCHEMA_VERSION, type SessionEvent } from './events.js';
import type { Head } from './head.js';

interface Staged {
  body: EventBody;
  /** How the event looks in the run's context until it is stored. */
  event: SessionEvent;
  update?: (head: Head) => Head;
}

/**
 * Steps a run has taken but not written yet: the results of idempotent tools. Nothing outside the
 * run depends on such a result before the next step, the model call, which a crash repeats anyway;
 * so the result (with the tool state it changed) is committed together with that step's commit
 * (the next model response, the answer and the release, a continuation, a failure's release)
 * instead of alone: one write fewer per tool round. A crash before then loses it and the next run
 * runs the tool again, which an idempotent tool allows. At-most-once tools never stage.
 *
 * While staged, the events are in the run's context (the loop decides and the model reads from
 * it) with provisional seqs after the writer's head, always last; the commit that carries them
 * replaces them with the stored events.
 *
 * @example
 * const staged = new StagedSteps(run.events, () => writer.head.seq, () => clock.now());
 * staged.add(toolResult);
 * await staged.with([answer], undefined, (events, update) => writer.commit({ events, ...(update ? { update } : {}) }));
 */
export class StagedSteps {
  private staged: Staged[] = [];

  constructor(
    private readonly events: SessionEvent[],
    /** The seq of the writer's head: provisional seqs follow it. */
    private readonly headSeq: () => number,
    private readonly now: () => number,
  ) {}

  get size(): number {
    return this.staged.length;
  }

  /** Adds a step to the context now; it is written with the next commit. */
  add(body: EventBody, update?: (head: Head) => Head): void {
    const event = { ...body, v: SCHEMA_VERSION, seq: 0, at: this.now() } as SessionEvent;
    this.staged.push({ body, event, ...(update ? { update } : {}) });
    this.attach();
  }

  /**
   * Writes `events` with `update` through `write`, the staged steps first (their head updates
   * applied before `update`). If the write fails, they stay staged for the next commit.
   */
  async with(
    events: EventBody[],
    update: ((head: Head) => Head) | undefined,
    write: (events: EventBody[], update: ((head: Head) => Head) | undefined) => Promise<SessionEvent[]>,
  ): Promise<void> {
    const taken = this.staged;
    this.staged = [];
    const updates = [...taken.map((step) => step.update), update].filter(
      (fn): fn is (head: Head) => Head => fn !== undefined,
    );
    const merged =
      updates.length === 0 ? undefined : (head: Head) => updates.reduce((next, fn) => fn(next), head);
    let stored: SessionEvent[];
    try {
      stored = await write([...taken.map((step) => step.body), ...events], merged);
    } catch (error) {
      this.staged = [...taken, ...this.staged];
      this.attach();
      throw error;
    }
    this.remove(taken);
    this.events.push(...stored);
    this.attach();
  }

  /** Takes the staged events out of the context (while the run reads what it missed of the log). */
  detach(): void {
    this.remove(this.staged);
  }

  /** Puts the staged events back at the end of the context, numbered after the writer's head. */
  attach(): void {
    this.remove(this.staged);
    let seq = Math.max(this.headSeq(), this.events.at(-1)?.seq ?? 0);
    for (const step of this.staged) {
      step.event.seq = ++seq;
      this.events.push(step.event);
    }
  }

  private remove(steps: Staged[]): void {
    if (steps.length === 0) return;
    const gone = new Set<SessionEvent>(steps.map((step) => step.event));
    let kept = 0;
    for (const event of this.events) if (!gone.has(event)) this.events[kept++] = event;
    this.events.length = kept;
  }
}
