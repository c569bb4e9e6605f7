import type { Context } from '@opentelemetry/api';
import type { Agent } from './agent.js';
import { compactionBoundary } from './compaction.js';
import { compact } from './compaction-step.js';
import { runPosition } from './context.js';
import { continueLater } from './continuation.js';
import { collectChildren, startDelegations } from './delegation/delegate-step.js';
import { ConflictError, RunCancelledError } from './errors.js';
import type { EventBody, SessionEvent } from './events.js';
import type { Head } from './head.js';
import { UnreadInputError } from './lease.js';
import type { Logger } from './logger.js';
import { callModel } from './model-step.js';
import { decideNextStep } from './next-step.js';
import type { LoopDeps, RunContext, RunOptions, RunOutcome } from './run-context.js';
import { refKey } from './session-ref.js';
import type { SessionWriter } from './session-writer.js';
import { StagedSteps } from './staged-steps.js';
import { neededMs, runTools, type ToolsAtOnce } from './tool-step.js';

const MAX_TIMER_MS = 2 ** 31 - 1;

/** One invocation's run: decide, act, commit, until it finishes, waits or must continue later. */
export class Run implements RunContext {
  progressed = false;
  readonly logger: Logger;
  /** Idempotent tool results waiting to be committed with the next step. */
  private readonly staged: StagedSteps;
  private readonly deadlineController = new AbortController();
  private readonly deadlineTimer: NodeJS.Timeout;
  /** Aborted when a cancel arrives that this run has not acted on; a new one after it has. */
  private cancelController = new AbortController();
  private readonly unregister: () => void;

  constructor(
    readonly deps: LoopDeps,
    readonly agent: Agent,
    readonly writer: SessionWriter,
    readonly events: SessionEvent[],
    readonly options: RunOptions,
    readonly traceContext: Context,
  ) {
    const remaining = Math.max(0, options.deadline - deps.clock.now());
    // setTimeout cannot wait longer than 2^31-1 ms; a deadline further away never fires in practice.
    this.deadlineTimer = setTimeout(
      () => this.deadlineController.abort(new Error('invocation deadline')),
      Math.min(remaining, MAX_TIMER_MS),
    );
    if (remaining > MAX_TIMER_MS) clearTimeout(this.deadlineTimer);
    this.deadlineTimer.unref();
    this.logger = deps.logger.child({ session: refKey(writer.ref), agent: agent.name });
    writer.onCancel = (cancelSeq) => this.cancelController.abort(new RunCancelledError(cancelSeq));
    this.unregister = deps.runs?.add(writer) ?? (() => undefined);
    this.staged = new StagedSteps(
      events,
      () => writer.head.seq,
      () => deps.clock.now(),
    );
  }

  get deadlineSignal(): AbortSignal {
    return this.deadlineController.signal;
  }

  get cancelSignal(): AbortSignal {
    return this.cancelController.signal;
  }

  dispose(): void {
    clearTimeout(this.deadlineTimer);
    this.unregister();
  }

  async drive(): Promise<RunOutcome> {
    for (;;) {
      try {
        const ended = await this.step();
        if (ended) return ended;
      } catch (error) {
        // A cancel refused the step's commit (or stopped its model call or tools): the loop reads
        // the cancel and ends the run with it.
        if (!(error instanceof RunCancelledError)) throw error;
      }
    }
  }

  private async step(): Promise<RunOutcome | null> {
    if (this.writer.cancelPending && this.writer.head.seq < this.writer.pendingCancelSeq) {
      // Told of the cancel in-process or by a read during the call: one read to learn the head.
      await this.writer.refresh();
    }
    await this.catchUp();
    const position = runPosition(this.events, this.agent);
    const step = decideNextStep(position, this.writer.head, this.agent);
    this.logger.debug('step', { step: step.type, seq: this.writer.head.seq });
    switch (step.type) {
      case 'resolve':
        await this.commit(step.events);
        break;
      case 'run_tools': {
        if (!this.fits(neededMs(step.calls))) return continueLater(this, 'run_tools');
        await this.runTools(step.calls, step.responseSeq, false);
        break;
      }
      case 'delegate':
        await startDelegations(this, step.calls, step.responseSeq);
        break;
      case 'await_approval': {
        // Children that finished meanwhile: their results are staged and the loop goes on.
        if (step.children.length > 0 && (await collectChildren(this, step.children)) > 0) break;
        if (step.announce.length > 0) {
          await this.commit([{ kind: 'interrupt', reason: 'approval', callIds: step.announce }]);
        }
        if (step.waiting.length === 0) {
          const released = await this.release('waiting_child');
          const callIds = step.children.map((entry) => entry.call.callId);
          if (released) return { kind: 'waiting_child', head: released, callIds };
          break;
        }
        const released = await this.release('waiting_approval');
        if (released) return { kind: 'waiting_approval', head: released, callIds: step.waiting };
        break;
      }
      case 'call_model': {
        if (this.writer.head.runSteps >= this.agent.limits.maxSteps) {
          await this.commit(
            [
              {
                kind: 'error',
                code: 'max_steps',
                message: `the run reached its limit of ${this.agent.limits.maxSteps} model calls`,
                retryable: false,
              },
              { kind: 'run_finished', reason: 'max_steps', text: '' },
            ],
            (head) => ({ ...head, runSteps: 0 }),
          );
          break;
        }
        if (!this.fits(this.agent.timing.modelCallMs)) return continueLater(this, 'call_model');
        const boundary = compactionBoundary(this.events, this.writer.head, this.agent);
        if (boundary !== null) {
          await compact(this, boundary);
          break;
        }
        const ended = await callModel(this);
        // Intents committed with the response: their calls start now, with nothing awaited first.
        if (ended?.kind === 'run_tools') await this.runTools(ended.calls, ended.responseSeq, true);
        else if (ended) return ended;
        break;
      }
      case 'finish': {
        const released = await this.release('idle', [
          { kind: 'run_finished', reason: 'completed', text: step.text },
        ]);
        if (released) return { kind: 'finished', head: released, text: step.text };
        break;
      }
      case 'cancel': {
        // The cancel's own resolution is committed although the cancel is pending; then the
        // writer lets steps through again (input after the cancel is answered as usual).
        if (step.release) {
          const released = await this.release('idle', step.events, undefined, true);
          if (!released) return null;
          this.cancelHandled(step.cancelSeq);
          return { kind: 'cancelled', head: released };
        }
        await this.commit(step.events, (head) => ({ ...head, runSteps: 0 }), undefined, true);
        this.cancelHandled(step.cancelSeq);
        return null;
      }
      case 'idle': {
        const status = this.writer.head.status === 'failed' ? 'failed' : 'idle';
        const released = await this.release(status);
        if (released) return { kind: 'finished', head: released, text: lastText(this.events) };
        break;
      }
    }
    return null;
  }

  private async runTools(
    calls: ToolsAtOnce['calls'],
    responseSeq: number,
    intentsCommitted: boolean,
  ): Promise<void> {
    await runTools(this, calls, responseSeq, intentsCommitted);
    // Idempotent results wait for the next commit, the one that would have shown input
    // appended meanwhile: look for it now (a read), so the model call sees it as before.
    if (this.staged.size > 0) await this.writer.refresh();
  }

  fits(neededMs: number): boolean {
    return this.deps.clock.now() + neededMs <= this.options.deadline;
  }

  /**
   * Releases the lease with `events` in the same commit, unless events arrived that this run has
   * not read: then nothing is written and the loop goes round again (returns null).
   */
  async release(
    status: Head['status'],
    events: EventBody[] = [],
    before?: (head: Head) => Head,
    afterCancel = false,
  ): Promise<Head | null> {
    try {
      await this.staged.with(events, before, (all, update) =>
        this.writer.release(status, all, update, afterCancel),
      );
      return this.writer.head;
    } catch (error) {
      if (error instanceof UnreadInputError || error instanceof ConflictError) return null;
      throw error;
    }
  }

  /**
   * Best effort: a crashed release only means the next invocation waits for the lease to expire.
   * Staged results go with it, so the retry does not run their tools again.
   */
  async releaseQuietly(): Promise<void> {
    try {
      if (this.writer.head.lease) {
        await this.staged.with(
          [],
          (head) => ({ ...head, lease: null }),
          (events, update) => this.writer.commit({ events, rebase: true, update }),
        );
      }
    } catch (error) {
      this.logger.warn('could not release the lease after a failure', { error });
    }
  }

  async commit(
    events: EventBody[],
    update?: (head: Head) => Head,
    holdMs?: number,
    afterCancel = false,
  ): Promise<void> {
    if (events.some((event) => event.kind !== 'continuation')) this.progressed = true;
    await this.staged.with(events, update, (all, merged) =>
      this.writer.commit({
        events: all,
        ...(merged ? { update: merged } : {}),
        ...(holdMs ? { holdMs } : {}),
        ...(afterCancel ? { afterCancel } : {}),
      }),
    );
  }

  /** The cancel at `cancelSeq` is acted on: a new signal for the steps after it. */
  private cancelHandled(cancelSeq: number): void {
    this.writer.cancelHandled(cancelSeq);
    if (!this.writer.cancelPending && this.cancelController.signal.aborted) {
      this.cancelController = new AbortController();
    }
  }

  stage(event: EventBody, update?: (head: Head) => Head): void {
    this.progressed = true;
    this.staged.add(event, update);
  }

  /** After a commit landed on top of someone else's input, read what was skipped. */
  private async catchUp(): Promise<void> {
    if (!this.writer.behind) return;
    // Staged events sit after the log's last event: set them aside while the log is completed.
    this.staged.detach();
    const known = new Set(this.events.map((event) => event.seq));
    const missing = await this.deps.store.readEvents(this.writer.ref, { afterSeq: this.writer.readThrough });
    for (const event of missing) if (!known.has(event.seq)) this.events.push(event);
    this.events.sort((a, b) => a.seq - b.seq);
    this.writer.caughtUp(this.events.at(-1)?.seq ?? this.writer.head.seq);
    this.staged.attach();
  }
}

function lastText(events: SessionEvent[]): string {
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i]!;
    if (event.kind === 'model_response') return event.text;
  }
  return '';
}
