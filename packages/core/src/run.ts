import type { Context } from '@opentelemetry/api';
import type { Agent } from './agent.js';
import { agentToolSpecs } from './agent.js';
import { compactionBoundary } from './compaction.js';
import { contextLimit, modelContext, runPosition } from './context.js';
import { BatonError, ConflictError, FencedError, ModelError } from './errors.js';
import type { EventBody, SessionEvent } from './events.js';
import type { Head } from './head.js';
import type { Logger } from './logger.js';
import type { LoopDeps, RunOptions, RunOutcome } from './loop.js';
import type { ModelRequest, ModelResponse } from './model.js';
import { decideNextStep, result } from './next-step.js';
import { refKey } from './session-ref.js';
import type { SessionWriter } from './session-writer.js';
import { applyPatch, type CheckedCall, runTool } from './tool-runner.js';
import { recordError, SpanKind, traceModelCall, withSpan } from './tracing.js';

const MAX_TIMER_MS = 2 ** 31 - 1;

const STALLED_CONTINUATIONS = 2;

/** One invocation's run: decide, act, commit, until it finishes, waits or must continue later. */
export class Run {
  /** Whether this invocation committed a step (anything but a continuation). */
  private progressed = false;
  private readonly deadlineController = new AbortController();
  private readonly deadlineTimer: NodeJS.Timeout;
  private readonly logger: Logger;

  constructor(
    private readonly deps: LoopDeps,
    private readonly agent: Agent,
    private readonly writer: SessionWriter,
    private readonly events: SessionEvent[],
    private readonly options: RunOptions,
    private readonly traceContext: Context,
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
  }

  dispose(): void {
    clearTimeout(this.deadlineTimer);
  }

  async drive(): Promise<RunOutcome> {
    for (;;) {
      await this.catchUp();
      const position = runPosition(this.events, this.agent);
      const step = decideNextStep(position, this.writer.head, this.agent);
      this.logger.debug('step', { step: step.type, seq: this.writer.head.seq });
      switch (step.type) {
        case 'resolve':
          await this.commit(step.events);
          break;
        case 'run_tools': {
          const needed = Math.max(...step.calls.map((checked) => checked.tool.timeoutMs));
          if (!this.fits(needed)) return this.continueLater('run_tools');
          await this.runTools(step.calls);
          break;
        }
        case 'await_approval': {
          if (step.announce.length > 0) {
            await this.commit([{ kind: 'interrupt', reason: 'approval', callIds: step.announce }]);
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
          if (!this.fits(this.agent.timing.modelCallMs)) return this.continueLater('call_model');
          const boundary = compactionBoundary(this.events, this.writer.head, this.agent);
          if (boundary !== null) {
            await this.compact(boundary);
            break;
          }
          const failed = await this.callModel();
          if (failed) return failed;
          break;
        }
        case 'finish': {
          const released = await this.release('idle', [
            { kind: 'run_finished', reason: 'completed', text: step.text },
          ]);
          if (released) return { kind: 'finished', head: released, text: step.text };
          break;
        }
        case 'idle': {
          const status = this.writer.head.status === 'failed' ? 'failed' : 'idle';
          const released = await this.release(status);
          if (released) {
            const text = lastText(this.events);
            return { kind: 'finished', head: released, text };
          }
          break;
        }
      }
    }
  }

  private async runTools(calls: Extract<CheckedCall, { ok: true }>[]): Promise<void> {
    const atMostOnce = calls.filter((checked) => checked.tool.execution === 'at-most-once');
    const needed = Math.max(...calls.map((checked) => checked.tool.timeoutMs));
    // Intents first: after this commit a crash can no longer lead to a second execution.
    if (atMostOnce.length > 0) {
      await this.commit(
        atMostOnce.map((checked) => ({
          kind: 'tool_intent',
          callId: checked.call.callId,
          name: checked.call.name,
        })),
        undefined,
        needed,
      );
    } else {
      await this.writer.ensureLease(needed + 1_000);
    }
    await Promise.all(
      calls.map(async (checked) => {
        const outcome = await withSpan(
          `execute_tool ${checked.tool.name}`,
          this.traceContext,
          SpanKind.INTERNAL,
          {
            'gen_ai.operation.name': 'execute_tool',
            'gen_ai.tool.name': checked.tool.name,
            'gen_ai.tool.call.id': checked.call.callId,
            'gen_ai.tool.type': 'function',
            'baton.tool.execution': checked.tool.execution,
          },
          async (span) => {
            const ran = await runTool(checked, {
              ref: this.writer.ref,
              state: this.writer.head.toolState,
              deadlineSignal: this.deadlineController.signal,
              logger: this.logger,
              now: () => this.deps.clock.now(),
            });
            span.setAttribute('baton.tool.outcome', ran.outcome);
            if (ran.outcome !== 'ok') recordError(span, new Error(JSON.stringify(ran.output)));
            return ran;
          },
        );
        const patch = outcome.statePatch;
        await this.commit(
          [
            {
              ...result(checked.call.callId, checked.call.name, outcome.outcome, outcome.output),
              durationMs: outcome.durationMs,
              ...(Object.keys(patch).length > 0 ? { statePatch: patch } : {}),
            },
          ],
          Object.keys(patch).length > 0
            ? (head) => ({ ...head, toolState: applyPatch(head.toolState, patch) })
            : undefined,
        );
      }),
    );
  }

  /** Replaces the turns before `boundary` with a summary, in one commit. */
  private async compact(boundary: number): Promise<void> {
    await this.writer.ensureLease(this.agent.timing.modelCallMs + 1_000);
    const head = this.writer.head;
    const earlier = this.events.filter((event) => event.seq < boundary);
    const previous = this.events.find((event) => event.kind === 'summary' && event.seq === head.summarySeq);
    const { messages } = modelContext(head, earlier, this.agent);
    const summary = await this.agent.summarize({
      previousSummary: previous?.kind === 'summary' ? previous.text : null,
      messages,
      signal: this.deadlineController.signal,
    });
    await this.commit(
      [
        {
          kind: 'summary',
          text: summary.text,
          throughSeq: boundary - 1,
          ...(summary.usage ? { usage: summary.usage } : {}),
        },
      ],
      (next) => ({
        ...next,
        contextStart: boundary,
        summarySeq: next.seq,
        usage: {
          inputTokens: next.usage.inputTokens + (summary.usage?.inputTokens ?? 0),
          outputTokens: next.usage.outputTokens + (summary.usage?.outputTokens ?? 0),
        },
      }),
    );
    // What was compacted is no longer needed in memory either.
    const keep = this.events.filter((event) => event.seq >= boundary);
    this.events.length = 0;
    this.events.push(...keep);
    this.logger.info('compacted the live context', { throughSeq: boundary - 1 });
  }

  /** Returns an outcome when the run cannot go on (a model error no retry can fix). */
  private async callModel(): Promise<RunOutcome | null> {
    await this.writer.ensureLease(this.agent.timing.modelCallMs + 1_000);
    const contextThrough = contextLimit(this.events, this.agent, this.writer.readThrough);
    const { instructions, messages } = modelContext(
      this.writer.head,
      this.events,
      this.agent,
      contextThrough,
    );
    const started = this.deps.clock.now();
    let response: ModelResponse;
    try {
      const request: ModelRequest = {
        instructions,
        messages,
        tools: agentToolSpecs(this.agent),
        signal: this.deadlineController.signal,
        sessionKey: refKey(this.writer.ref),
      };
      response = await traceModelCall(this.traceContext, this.agent.model, () =>
        generate(this.agent, request),
      );
    } catch (error) {
      return this.modelFailed(error);
    }
    const event: EventBody = {
      kind: 'model_response',
      text: response.text,
      toolCalls: response.toolCalls,
      usage: response.usage,
      stopReason: response.stopReason,
      provider: this.agent.model.provider,
      model: response.model,
      latencyMs: this.deps.clock.now() - started,
      contextThrough,
      ...(response.providerState ? { providerState: response.providerState } : {}),
    };
    const counted = (head: Head): Head => ({
      ...head,
      status: 'running',
      runSteps: head.runSteps + 1,
      usage: {
        inputTokens: head.usage.inputTokens + response.usage.inputTokens,
        outputTokens: head.usage.outputTokens + response.usage.outputTokens,
      },
    });
    if (response.toolCalls.length === 0 && contextThrough === this.writer.readThrough) {
      // An answer without tool calls ends the run: one commit records it, finishes the run and hands
      // back the lease. If input arrived meanwhile nothing is written and it is recorded as a step.
      const finished: EventBody = { kind: 'run_finished', reason: 'completed', text: response.text };
      const released = await this.release('idle', [event, finished], counted);
      if (released) return { kind: 'finished', head: released, text: response.text };
    }
    await this.commit([event], counted);
    return null;
  }

  /** A model call that failed: continue later, retry through the queue, or fail the run. */
  private async modelFailed(error: unknown): Promise<RunOutcome | null> {
    if (error instanceof FencedError) throw error;
    if (this.deadlineController.signal.aborted) {
      // The deadline cut the call off: the next invocation makes it again, with time to finish.
      this.logger.warn('model call stopped at the invocation deadline; continuing later', { error });
      return this.continueLater('call_model');
    }
    const modelError =
      error instanceof BatonError
        ? error
        : new ModelError(`model call failed: ${(error as Error).message}`, { retryable: true, cause: error });
    if (modelError.retryable) throw modelError;
    this.logger.error('model call failed; the run stops', { error: modelError });
    const released = await this.release('failed', [
      { kind: 'error', code: modelError.code, message: modelError.message, retryable: false },
      { kind: 'run_finished', reason: 'failed', text: '' },
    ]);
    return released ? { kind: 'failed', head: released, error: modelError } : null;
  }

  private fits(neededMs: number): boolean {
    return this.deps.clock.now() + neededMs <= this.options.deadline;
  }

  /** Records the continuation, hands back the lease, then enqueues the next invocation. */
  private async continueLater(nextStep: string): Promise<RunOutcome> {
    const stalled = await this.failIfStalled(nextStep);
    if (stalled) return stalled;
    await this.commit([{ kind: 'continuation', reason: 'deadline', nextStep }], (head) => ({
      ...head,
      status: 'running',
      lease: null,
    }));
    const head = this.writer.head;
    await this.deps.queue.enqueue({
      v: 1,
      tenant: head.tenant,
      sessionId: head.sessionId,
      reason: 'continue',
      dedupeKey: `continue:${refKey(this.writer.ref)}:${head.seq}`,
      ...(head.traceparent ? { traceparent: head.traceparent } : {}),
    });
    this.logger.info('continuing in another invocation', { nextStep, seq: head.seq });
    return { kind: 'continued', head, nextStep };
  }

  /**
   * Three invocations in a row that could not take a single step (each too short for what the next
   * step reserves) will never finish: fail with a clear reason instead of continuing forever.
   */
  private async failIfStalled(nextStep: string): Promise<RunOutcome | null> {
    if (this.progressed) return null;
    const trailing = this.events.slice(-STALLED_CONTINUATIONS);
    const stalled =
      trailing.length === STALLED_CONTINUATIONS && trailing.every((event) => event.kind === 'continuation');
    if (!stalled) return null;
    const error = new BatonError(
      'budget_too_small',
      `${STALLED_CONTINUATIONS + 1} invocations in a row had less time than the next step (${nextStep}) reserves: raise the function timeout, or lower the agent's timing.modelCallMs or the tool's timeoutMs`,
      { retryable: false },
    );
    const released = await this.release('failed', [
      { kind: 'error', code: error.code, message: error.message, retryable: false },
      { kind: 'run_finished', reason: 'failed', text: '' },
    ]);
    return released ? { kind: 'failed', head: released, error } : null;
  }

  /**
   * Releases the lease with `events` in the same commit, unless input arrived that this run has
   * not read: then nothing is written and the loop goes round again (returns null).
   */
  private async release(
    status: Head['status'],
    events: EventBody[] = [],
    before: (head: Head) => Head = (head) => head,
  ): Promise<Head | null> {
    if (this.writer.behind) return null;
    try {
      const stored = await this.writer.commit({
        events,
        rebase: false,
        update: (next) => {
          const released: Head = {
            ...before(next),
            status,
            lease: null,
            runSteps: status === 'waiting_approval' ? next.runSteps : 0,
          };
          // A run that waits keeps its trace for the invocation that resumes it; a finished run ends it.
          if (status !== 'waiting_approval') delete released.traceparent;
          return released;
        },
      });
      this.events.push(...stored);
      return this.writer.head;
    } catch (error) {
      if (error instanceof ConflictError) return null;
      throw error;
    }
  }

  /** Best effort: a crashed release only means the next invocation waits for the lease to expire. */
  async releaseQuietly(): Promise<void> {
    try {
      if (this.writer.head.lease) {
        await this.writer.commit({ events: [], rebase: true, update: (head) => ({ ...head, lease: null }) });
      }
    } catch (error) {
      this.logger.warn('could not release the lease after a failure', { error });
    }
  }

  private async commit(events: EventBody[], update?: (head: Head) => Head, holdMs?: number): Promise<void> {
    if (events.some((event) => event.kind !== 'continuation')) this.progressed = true;
    const stored = await this.writer.commit({
      events,
      ...(update ? { update } : {}),
      ...(holdMs ? { holdMs } : {}),
    });
    this.events.push(...stored);
  }

  /** After a commit landed on top of someone else's input, read what was skipped. */
  private async catchUp(): Promise<void> {
    if (!this.writer.behind) return;
    const known = new Set(this.events.map((event) => event.seq));
    const missing = await this.deps.store.readEvents(this.writer.ref, { afterSeq: this.writer.readThrough });
    for (const event of missing) if (!known.has(event.seq)) this.events.push(event);
    this.events.sort((a, b) => a.seq - b.seq);
    this.writer.caughtUp(this.events.at(-1)?.seq ?? this.writer.head.seq);
  }
}

function lastText(events: SessionEvent[]): string {
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i]!;
    if (event.kind === 'model_response') return event.text;
  }
  return '';
}

/**
 * One model call: through `stream()` when the agent asks for it and the model has it (the final
 * event carries the complete response, so what is committed is the same), else `generate()`.
 */
async function generate(agent: Agent, request: ModelRequest): Promise<ModelResponse> {
  const model = agent.model;
  if (!agent.policies.stream || !model.stream) return model.generate(request);
  for await (const event of model.stream(request)) {
    if (event.type === 'response') return event.response;
  }
  throw new ModelError(`the ${model.provider} stream ended without a response`, {
    retryable: true,
    provider: model.provider,
  });
}
