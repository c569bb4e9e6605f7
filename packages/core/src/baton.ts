import { randomUUID } from 'node:crypto';
import type { Agent } from './agent.js';
import { appendInput, type FailureRecord, recordFailure } from './appends.js';
import { type Clock, systemClock } from './clock.js';
import { runPosition } from './context.js';
import {
  BatonError,
  isRetryable,
  PayloadTooLargeError,
  SessionNotFoundError,
  UnknownAgentError,
  ValidationError,
} from './errors.js';
import type { EventBody, SessionEvent } from './events.js';
import type { Head } from './head.js';
import type { JsonObject } from './json.js';
import { jsonLogger, type Logger } from './logger.js';
import { type LoopDeps, type RunOutcome, runSession } from './loop.js';
import type { RunMessage, RunQueue } from './queue.js';
import { refKey, type SessionRef, sessionRef } from './session-ref.js';
import { sessionView } from './session-view.js';
import type { ListPage, ListQuery, SessionStore } from './store.js';

export interface BatonOptions {
  store: SessionStore;
  agents: Agent[];
  /** Agent for sessions that do not name one; defaults to the first. */
  defaultAgent?: string;
  queue: RunQueue;
  clock?: Clock;
  logger?: Logger;
  /**
   * How long after an input its safety-net run message becomes visible: the inline run normally
   * finishes first and the message finds nothing to do.
   */
  safetyNetDelayMs?: number;
}

export interface InputRequest {
  text: string;
  agent?: string;
  /** Idempotency key of the trigger (Idempotency-Key header, Slack event_id, queue message id). */
  dedupeKey?: string;
  source: string;
  sender?: string;
  metadata?: JsonObject;
}

export interface SubmitResult {
  session: SessionRef;
  inputSeq: number;
  duplicate: boolean;
}

export interface DecisionRequest {
  callId: string;
  approved: boolean;
  reason?: string;
  by?: string;
  dedupeKey?: string;
}

export interface PendingApproval {
  callId: string;
  tool: string;
  arguments: string;
  /** The call was started once and its outcome is unknown; approving runs it again. */
  unknownOutcome: boolean;
}

/** What a client may see of a session. */
export interface SessionView {
  tenant: string;
  sessionId: string;
  agent: string;
  status: Head['status'];
  seq: number;
  toolState: JsonObject;
  pendingApprovals: PendingApproval[];
  lastReply: string | null;
  usage: Head['usage'];
  createdAt: string;
  updatedAt: string;
}

export interface ConverseResult {
  submit: SubmitResult;
  /** finished: `reply` answers the input; otherwise the run goes on (or waits) and the client polls. */
  state: 'finished' | 'waiting_approval' | 'running' | 'failed';
  reply: string | null;
  session: SessionView;
}

export type HandleResult =
  | { kind: 'done'; outcome: RunOutcome['kind'] }
  | { kind: 'retry_later'; delayMs: number };

/**
 * The one entry point every adapter calls (local server, Lambda, Azure Functions, Slack).
 * Adapters translate platform events into these calls and the results back; all behaviour is here.
 *
 * @example
 * const baton = createBaton({ store, agents: [agent], queue });
 * await baton.submit(sessionRef('acme', 'chat-1'), { text: 'hello', source: 'http' });
 */
export function createBaton(options: BatonOptions): Baton {
  return new Baton(options);
}

export class Baton {
  readonly store: SessionStore;
  readonly queue: RunQueue;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly agents: ReadonlyMap<string, Agent>;
  private readonly defaultAgent: string;
  private readonly safetyNetDelayMs: number;

  constructor(options: BatonOptions) {
    if (options.agents.length === 0) throw new Error('Baton needs at least one agent');
    this.store = options.store;
    this.queue = options.queue;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? jsonLogger();
    this.agents = new Map(options.agents.map((agent) => [agent.name, agent]));
    this.defaultAgent = options.defaultAgent ?? options.agents[0]!.name;
    if (!this.agents.has(this.defaultAgent)) throw new UnknownAgentError(this.defaultAgent);
    this.safetyNetDelayMs = options.safetyNetDelayMs ?? 0;
  }

  /**
   * Records an input (deduplicated on `dedupeKey`) and enqueues a run for it. Works whether or not
   * another invocation holds the lease: the holder drains new input before it releases.
   */
  async submit(
    ref: SessionRef,
    input: InputRequest,
    options: { enqueueDelayMs?: number } = {},
  ): Promise<SubmitResult> {
    const agentName = input.agent ?? this.defaultAgent;
    const agent = this.agents.get(agentName);
    if (!agent) throw new UnknownAgentError(agentName);
    if (typeof input.text !== 'string' || input.text.trim() === '') {
      throw new ValidationError('text must be a non-empty string', { field: 'text' });
    }
    const bytes = Buffer.byteLength(input.text, 'utf8');
    if (bytes > agent.limits.maxInputBytes) throw new PayloadTooLargeError(bytes, agent.limits.maxInputBytes);
    const dedupeKey = input.dedupeKey ? `input:${input.dedupeKey}` : undefined;
    const body: EventBody = {
      kind: 'input',
      text: input.text,
      source: input.source,
      ...(input.sender ? { sender: input.sender } : {}),
      ...(input.dedupeKey ? { dedupeKey: input.dedupeKey } : {}),
      ...(input.metadata ? { metadata: input.metadata } : {}),
    };
    const appended = await appendInput(this, ref, body, {
      agent: agentName,
      ...(dedupeKey ? { dedupeKey } : {}),
      requireAgent: input.agent,
    });
    const result: SubmitResult = { session: ref, inputSeq: appended.seq, duplicate: appended.duplicate };
    // Enqueued on duplicates too: a client retrying because the first enqueue failed must not strand its input.
    await this.enqueue(ref, 'input', `input:${refKey(ref)}:${appended.seq}`, options.enqueueDelayMs);
    return result;
  }

  /** Records an approval decision for a pending call and enqueues the run to resume. */
  async decide(ref: SessionRef, decision: DecisionRequest): Promise<{ duplicate: boolean }> {
    if (typeof decision.callId !== 'string' || decision.callId === '') {
      throw new ValidationError('callId must be a non-empty string', { field: 'callId' });
    }
    if (typeof decision.approved !== 'boolean') {
      throw new ValidationError('approved must be true or false', { field: 'approved' });
    }
    if (
      decision.reason !== undefined &&
      (typeof decision.reason !== 'string' || decision.reason.length > 2000)
    ) {
      throw new ValidationError('reason must be a string of at most 2000 characters', { field: 'reason' });
    }
    const snapshot = await this.store.load(ref);
    if (!snapshot) throw new SessionNotFoundError(refKey(ref));
    const agent = this.agentOf(snapshot.head);
    const position = runPosition(snapshot.events, agent);
    const pending = position.pending.find((entry) => entry.call.callId === decision.callId);
    const dedupeKey = `decision:${decision.callId}`;
    if (!pending || pending.decision) {
      const earlier = await this.store.getDedupe(ref, dedupeKey);
      const same = earlier && (earlier.result as { approved?: boolean }).approved === decision.approved;
      if (same) {
        // Enqueued again: a client retrying because the first enqueue failed must not strand the run.
        await this.enqueue(ref, 'decision', `decision:${refKey(ref)}:${decision.callId}`);
        return { duplicate: true };
      }
      if (earlier || pending?.decision) {
        throw new BatonError('already_decided', `call ${decision.callId} was already decided`, {
          status: 409,
        });
      }
      throw new BatonError('no_pending_approval', `call ${decision.callId} is not waiting for approval`, {
        status: 404,
        details: { callId: decision.callId },
      });
    }
    const body: EventBody = {
      kind: 'decision',
      callId: decision.callId,
      approved: decision.approved,
      ...(decision.reason ? { reason: decision.reason } : {}),
      ...(decision.by ? { by: decision.by } : {}),
    };
    const appended = await appendInput(this, ref, body, {
      agent: agent.name,
      dedupeKey,
      dedupeResult: { approved: decision.approved },
    });
    if (appended.duplicate) {
      return this.decide(ref, decision);
    }
    await this.enqueue(ref, 'decision', `decision:${refKey(ref)}:${decision.callId}`);
    return { duplicate: false };
  }

  /** Advances the session until it finishes, waits, or must continue in another invocation. */
  run(ref: SessionRef, options: { deadline: number; owner?: string }): Promise<RunOutcome> {
    return runSession(this.loopDeps(), ref, {
      deadline: options.deadline,
      owner: options.owner ?? `run-${randomUUID()}`,
    });
  }

  /**
   * Submits an input and runs it inline: the synchronous HTTP path. The run may use the time up to
   * `deadline`; the answer is given once it finishes or after `waitMs`, whichever is first. A host
   * that keeps running after answering (the local server) lets the run go on in the background; a
   * function host passes no `waitMs`, waits for the run, and the rest continues through the queue.
   */
  async converse(
    ref: SessionRef,
    input: InputRequest,
    options: { deadline: number; waitMs?: number },
  ): Promise<ConverseResult> {
    const submit = await this.submit(ref, input, { enqueueDelayMs: this.safetyNetDelayMs });
    if (!submit.duplicate) {
      const running = this.run(ref, { deadline: options.deadline }).then(
        () => undefined,
        (error: unknown) => {
          if (!isRetryable(error)) throw error;
          // The enqueued run message retries it; the client polls.
          this.logger.warn('inline run failed; the queue will retry', { session: refKey(ref), error });
        },
      );
      if (options.waitMs === undefined) {
        await running;
      } else {
        // Past the wait the run goes on; its failure is logged, and the queued message retries it.
        running.catch((error: unknown) =>
          this.logger.error('background run failed', { session: refKey(ref), error }),
        );
        let timer: NodeJS.Timeout | undefined;
        const waited = new Promise<void>((resolve) => {
          timer = setTimeout(resolve, options.waitMs);
        });
        await Promise.race([running, waited]).finally(() => clearTimeout(timer));
      }
    }
    return this.answer(ref, submit);
  }

  /** The answer to one input: its reply once the run that answered it finished. */
  async answer(ref: SessionRef, submit: SubmitResult): Promise<ConverseResult> {
    const session = await this.session(ref);
    const after = await this.store.readEvents(ref, { afterSeq: submit.inputSeq });
    const finished = after.find((event) => event.kind === 'run_finished');
    if (finished && finished.kind === 'run_finished') {
      const failed = finished.reason === 'failed';
      return {
        submit,
        state: failed ? 'failed' : 'finished',
        reply: finished.text || null,
        session,
      };
    }
    const state =
      session.status === 'waiting_approval'
        ? 'waiting_approval'
        : session.status === 'failed'
          ? 'failed'
          : 'running';
    return { submit, state, reply: null, session };
  }

  /** For queue workers: run the session a message names; busy sessions come back after the lease expires. */
  async handle(message: RunMessage, options: { deadline: number; owner?: string }): Promise<HandleResult> {
    const ref = sessionRef(message.tenant, message.sessionId);
    const outcome = await this.run(ref, options);
    if (outcome.kind === 'busy') {
      return { kind: 'retry_later', delayMs: Math.max(1_000, outcome.retryAt - this.clock.now() + 250) };
    }
    if (outcome.kind === 'fenced') return { kind: 'retry_later', delayMs: 1_000 };
    return { kind: 'done', outcome: outcome.kind };
  }

  async session(ref: SessionRef): Promise<SessionView> {
    const snapshot = await this.store.load(ref);
    if (!snapshot) throw new SessionNotFoundError(refKey(ref));
    return sessionView(snapshot.head, snapshot.events, this.agents.get(snapshot.head.agent));
  }

  async events(
    ref: SessionRef,
    options: { afterSeq?: number; limit?: number } = {},
  ): Promise<SessionEvent[]> {
    const head = await this.store.readHead(ref);
    if (!head) throw new SessionNotFoundError(refKey(ref));
    return this.store.readEvents(ref, options);
  }

  list(query: ListQuery = {}): Promise<ListPage> {
    return this.store.list(query);
  }

  async delete(ref: SessionRef): Promise<void> {
    await this.store.delete(ref);
  }

  /**
   * Re-enqueues runs for sessions that have pending work but no live lease and no recent write:
   * the safety net for an enqueue that failed after its input was committed. Run it on a schedule.
   */
  async sweep(options: { idleForMs?: number; limit?: number } = {}): Promise<number> {
    const idleForMs = options.idleForMs ?? 60_000;
    const now = this.clock.now();
    let enqueued = 0;
    // Running sessions have work by definition; a session waiting for approval has work once a
    // decision (or input) arrived that no run has read yet.
    for (const status of ['running', 'waiting_approval'] as const) {
      let cursor: string | undefined;
      do {
        const page = await this.store.list({
          status,
          limit: options.limit ?? 100,
          ...(cursor ? { cursor } : {}),
        });
        for (const head of page.sessions) {
          const leaseLive = head.lease && head.lease.expiresAt > now;
          const pending = status === 'running' || head.lastInputSeq > head.processedSeq;
          if (!pending || leaseLive || now - head.updatedAt < idleForMs) continue;
          const ref = { tenant: head.tenant, sessionId: head.sessionId };
          await this.enqueue(ref, 'retry', `sweep:${refKey(ref)}:${head.version}`);
          enqueued++;
        }
        cursor = page.cursor;
      } while (cursor);
    }
    return enqueued;
  }

  /**
   * Records on the session why work stopped being retried (a poison message, an unknown agent, a
   * model error no retry fixes): an `error` event and, when no live lease is held, `run_finished`
   * (failed) with the status set to failed. Deduplicated on `dedupeKey`; a live lease is left alone.
   */
  recordFailure(
    ref: SessionRef,
    failure: { code: string; message: string; dedupeKey: string },
  ): Promise<FailureRecord> {
    return recordFailure(this, ref, failure);
  }

  private agentOf(head: Head): Agent {
    const agent = this.agents.get(head.agent);
    if (!agent) throw new UnknownAgentError(head.agent);
    return agent;
  }

  private async enqueue(
    ref: SessionRef,
    reason: RunMessage['reason'],
    dedupeKey: string,
    delayMs?: number,
  ): Promise<void> {
    await this.queue.enqueue(
      { v: 1, tenant: ref.tenant, sessionId: ref.sessionId, reason, dedupeKey },
      delayMs ? { delayMs } : undefined,
    );
  }

  private loopDeps(): LoopDeps {
    return {
      store: this.store,
      agents: this.agents,
      queue: this.queue,
      clock: this.clock,
      logger: this.logger,
    };
  }
}
