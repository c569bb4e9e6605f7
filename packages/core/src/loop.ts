import { type Context, context, type Span, trace } from '@opentelemetry/api';
import type { Agent } from './agent.js';
import { agentToolSpecs } from './agent.js';
import type { Clock } from './clock.js';
import { modelContext, type PendingCall, type RunPosition, runPosition } from './context.js';
import {
  BatonError,
  ConflictError,
  FencedError,
  ModelError,
  SessionNotFoundError,
  UnknownAgentError,
} from './errors.js';
import type { EventBody, SessionEvent, ToolOutcome } from './events.js';
import type { Head } from './head.js';
import type { Json } from './json.js';
import type { Logger } from './logger.js';
import type { ModelResponse } from './model.js';
import type { RunQueue } from './queue.js';
import { refKey, type SessionRef } from './session-ref.js';
import { SessionWriter } from './session-writer.js';
import type { SessionStore } from './store.js';
import { applyPatch, type CheckedCall, checkCall, needsApproval, runTool } from './tool-runner.js';
import {
  formatTraceparent,
  recordError,
  runParentContext,
  SpanKind,
  startSpan,
  withSpan,
} from './tracing.js';

export interface LoopDeps {
  store: SessionStore;
  agents: ReadonlyMap<string, Agent>;
  queue: RunQueue;
  clock: Clock;
  logger: Logger;
}

export interface RunOptions {
  /** Epoch ms by which this invocation must have committed and returned. */
  deadline: number;
  /** Who holds the lease: unique per invocation. */
  owner: string;
}

/** How an invocation left the session. Pausing and continuing are outcomes, not exceptions. */
export type RunOutcome =
  | { kind: 'finished'; head: Head; text: string }
  | { kind: 'waiting_approval'; head: Head; callIds: string[] }
  | { kind: 'continued'; head: Head; nextStep: string }
  | { kind: 'failed'; head: Head; error: BatonError }
  | { kind: 'busy'; retryAt: number }
  | { kind: 'fenced' }
  | { kind: 'not_found' };

/** The next step, decided from the live context alone. */
type NextStep =
  | { type: 'resolve'; events: EventBody[] }
  | { type: 'run_tools'; calls: Extract<CheckedCall, { ok: true }>[] }
  | { type: 'await_approval'; announce: string[]; waiting: string[] }
  | { type: 'call_model' }
  | { type: 'finish'; text: string }
  | { type: 'idle' };

/**
 * Advances a session as far as the deadline allows: takes the lease, then repeats
 * decide -> act -> commit until the run finishes, waits for approval, or must continue in another
 * invocation (a continuation message is enqueued before the lease is released).
 *
 * @example
 * const outcome = await runSession(deps, { tenant: 'acme', sessionId: 's1' }, { deadline: Date.now() + 10_000, owner: 'worker-1' });
 */
export async function runSession(deps: LoopDeps, ref: SessionRef, options: RunOptions): Promise<RunOutcome> {
  const snapshot = await deps.store.load(ref);
  if (!snapshot) return { kind: 'not_found' };
  const agent = deps.agents.get(snapshot.head.agent);
  if (!agent) throw new UnknownAgentError(snapshot.head.agent);
  const span = startSpan(
    `invoke_agent ${agent.name}`,
    runParentContext(snapshot.head.traceparent),
    SpanKind.INTERNAL,
    {
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.agent.name': agent.name,
      'gen_ai.conversation.id': refKey(ref),
      'baton.lease.owner': options.owner,
    },
  );
  try {
    const outcome = await runHeld(deps, ref, options, agent, snapshot, span);
    span.setAttribute('baton.outcome', outcome.kind);
    return outcome;
  } catch (error) {
    recordError(span, error);
    throw error;
  } finally {
    span.end();
  }
}

async function runHeld(
  deps: LoopDeps,
  ref: SessionRef,
  options: RunOptions,
  agent: Agent,
  snapshot: { head: Head; events: SessionEvent[] },
  span: Span,
): Promise<RunOutcome> {
  // The first invocation of a run names the trace every later invocation of the run joins.
  const traceparent = snapshot.head.traceparent ?? formatTraceparent(span.spanContext());
  const held = await takeLease(deps, ref, snapshot.head, options.owner, agent.timing.leaseMs, traceparent);
  if ('busy' in held) return { kind: 'busy', retryAt: held.busy };
  const events =
    snapshot.head.version === held.head.version - 1 ? snapshot.events : (await deps.store.load(ref))!.events;
  const writer = new SessionWriter(deps.store, ref, held.head, deps.clock, agent.timing.leaseMs);
  const run = new Run(deps, agent, writer, events, options, trace.setSpan(context.active(), span));
  try {
    return await run.drive();
  } catch (error) {
    if (error instanceof FencedError) {
      deps.logger.warn('lease taken over; stopping', { session: refKey(ref) });
      return { kind: 'fenced' };
    }
    // A retryable failure: hand the lease back so the retry does not wait for it to expire.
    await run.releaseQuietly();
    throw error;
  } finally {
    run.dispose();
  }
}

async function takeLease(
  deps: LoopDeps,
  ref: SessionRef,
  read: Head,
  owner: string,
  leaseMs: number,
  traceparent: string,
): Promise<{ head: Head } | { busy: number }> {
  let head: Head | null = read;
  for (let attempt = 0; attempt < 10 && head; attempt++) {
    const now = deps.clock.now();
    if (head.lease && head.lease.owner !== owner && head.lease.expiresAt > now)
      return { busy: head.lease.expiresAt };
    const epoch = head.leaseEpoch + 1;
    const next: Head = {
      ...head,
      version: head.version + 1,
      lease: { owner, expiresAt: now + leaseMs, epoch },
      leaseEpoch: epoch,
      updatedAt: now,
      traceparent: head.traceparent ?? traceparent,
    };
    try {
      await deps.store.commit({ ref, expectedVersion: head.version, head: next, events: [] });
      return { head: next };
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      head = await deps.store.readHead(ref);
    }
  }
  if (!head) throw new SessionNotFoundError(refKey(ref));
  throw new ConflictError(`could not take the lease of ${refKey(ref)}`);
}

const MAX_TIMER_MS = 2 ** 31 - 1;

class Run {
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
      const step = this.decide(position);
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
          const boundary = this.compactionBoundary();
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

  private decide(position: RunPosition): NextStep {
    if (position.pending.length > 0) return this.decidePending(position.pending);
    if (position.unansweredInputs.length > 0 || position.resultsAwaitModel) return { type: 'call_model' };
    if (position.lastModel && !position.finished && this.writer.head.status === 'running') {
      return { type: 'finish', text: position.lastModel.text };
    }
    return { type: 'idle' };
  }

  private decidePending(pending: PendingCall[]): NextStep {
    const resolved: EventBody[] = [];
    const runnable: Extract<CheckedCall, { ok: true }>[] = [];
    const announce: string[] = [];
    const waiting: string[] = [];
    for (const entry of pending) {
      const { call } = entry;
      const checked = checkCall(call, this.agent);
      if (!checked.ok) {
        resolved.push(result(call.callId, call.name, 'error', { error: checked.error }));
        continue;
      }
      const unknown = entry.intent;
      if (unknown && this.agent.policies.unknownOutcome === 'error') {
        resolved.push(
          result(call.callId, call.name, 'unknown', {
            error: `${call.name} was started but its outcome is unknown (the invocation running it stopped). It was not run again; check its effect before retrying.`,
          }),
        );
        continue;
      }
      if (needsApproval(checked) || unknown) {
        if (!entry.decision) {
          waiting.push(call.callId);
          if (!entry.announced) announce.push(call.callId);
          continue;
        }
        if (!entry.decision.approved) {
          const by = entry.decision.by ? ` by ${entry.decision.by}` : '';
          const why = entry.decision.reason ? `: ${entry.decision.reason}` : '';
          resolved.push(
            result(call.callId, call.name, 'rejected', { error: `the call was rejected${by}${why}` }),
          );
          continue;
        }
      }
      runnable.push(checked);
    }
    if (resolved.length > 0) return { type: 'resolve', events: resolved };
    if (runnable.length > 0) return { type: 'run_tools', calls: runnable };
    return { type: 'await_approval', announce, waiting };
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

  /**
   * Where the kept part of the live context starts when it is time to compact: the most recent input
   * that begins a turn (and that no model call skipped), so the kept messages start with the user.
   */
  private compactionBoundary(): number | null {
    const limit = this.agent.limits.compactAfterEvents;
    const head = this.writer.head;
    if (limit <= 0) return null;
    const live = this.events.filter((event) => event.seq >= head.contextStart && event.kind !== 'summary');
    if (live.length <= limit) return null;
    const skipped = new Set<number>();
    for (const event of live) {
      if (event.kind === 'model_response' && event.contextThrough !== undefined) {
        for (let seq = event.contextThrough + 1; seq < event.seq; seq++) skipped.add(seq);
      }
    }
    for (let i = live.length - 1; i >= 0; i--) {
      const event = live[i]!;
      if (event.kind === 'input' && !skipped.has(event.seq))
        return event.seq > head.contextStart ? event.seq : null;
    }
    return null;
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
    const { instructions, messages } = modelContext(this.writer.head, this.events, this.agent);
    const contextThrough = this.writer.readThrough;
    const started = this.deps.clock.now();
    try {
      const response = await this.traceModelCall(() =>
        this.agent.model.generate({
          instructions,
          messages,
          tools: agentToolSpecs(this.agent),
          signal: this.deadlineController.signal,
          sessionKey: refKey(this.writer.ref),
        }),
      );
      const latencyMs = this.deps.clock.now() - started;
      await this.commit(
        [
          {
            kind: 'model_response',
            text: response.text,
            toolCalls: response.toolCalls,
            usage: response.usage,
            stopReason: response.stopReason,
            provider: this.agent.model.provider,
            model: response.model,
            latencyMs,
            contextThrough,
            ...(response.providerState ? { providerState: response.providerState } : {}),
          },
        ],
        (head) => ({
          ...head,
          status: 'running',
          runSteps: head.runSteps + 1,
          usage: {
            inputTokens: head.usage.inputTokens + response.usage.inputTokens,
            outputTokens: head.usage.outputTokens + response.usage.outputTokens,
          },
        }),
      );
      return null;
    } catch (error) {
      if (error instanceof FencedError) throw error;
      const modelError =
        error instanceof BatonError
          ? error
          : new ModelError(`model call failed: ${(error as Error).message}`, {
              retryable: true,
              cause: error,
            });
      if (modelError.retryable) throw modelError;
      this.logger.error('model call failed; the run stops', { error: modelError });
      const failedEvents: EventBody[] = [
        { kind: 'error', code: modelError.code, message: modelError.message, retryable: false },
        { kind: 'run_finished', reason: 'failed', text: '' },
      ];
      const released = await this.release('failed', failedEvents);
      if (released) return { kind: 'failed', head: released, error: modelError };
      return null;
    }
  }

  private traceModelCall(call: () => Promise<ModelResponse>): Promise<ModelResponse> {
    const model = this.agent.model;
    return withSpan(
      `chat ${model.modelId}`,
      this.traceContext,
      SpanKind.CLIENT,
      {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': model.provider,
        'gen_ai.request.model': model.modelId,
      },
      async (span) => {
        const response = await call();
        span.setAttributes({
          'gen_ai.response.model': response.model,
          'gen_ai.usage.input_tokens': response.usage.inputTokens,
          'gen_ai.usage.output_tokens': response.usage.outputTokens,
          'gen_ai.response.finish_reasons': [response.stopReason],
        });
        return response;
      },
    );
  }

  private fits(neededMs: number): boolean {
    return this.deps.clock.now() + neededMs <= this.options.deadline;
  }

  /** Records the continuation, hands back the lease, then enqueues the next invocation. */
  private async continueLater(nextStep: string): Promise<RunOutcome> {
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
   * Releases the lease with `events` in the same commit, unless input arrived that this run has
   * not read: then nothing is written and the loop goes round again (returns null).
   */
  private async release(status: Head['status'], events: EventBody[] = []): Promise<Head | null> {
    if (this.writer.behind) return null;
    try {
      const stored = await this.writer.commit({
        events,
        rebase: false,
        update: (next) => {
          const released: Head = {
            ...next,
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

function result(
  callId: string,
  name: string,
  outcome: ToolOutcome,
  output: Json,
): Extract<EventBody, { kind: 'tool_result' }> {
  return { kind: 'tool_result', callId, name, outcome, output, durationMs: 0 };
}

function lastText(events: SessionEvent[]): string {
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i]!;
    if (event.kind === 'model_response') return event.text;
  }
  return '';
}
