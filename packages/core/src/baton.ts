import { randomUUID } from 'node:crypto';
import type { Agent } from './agent.js';
import { type FailureRecord, recordFailure } from './appends.js';
import { channelApproversOf } from './approver-policy.js';
import { appendCancel, type CancelRequest, type CancelResult } from './cancel.js';
import { type Clock, systemClock } from './clock.js';
import { answerOf, type ConverseResult } from './converse-result.js';
import { type DecisionRequest, recordDecision } from './decision.js';
import { childWaitingOn, withChildApprovals } from './delegation/child-approvals.js';
import { parentMessage } from './delegation/parent-link.js';
import { delegationLinks } from './delegation/session-links.js';
import { isBatonError, isRetryable, SessionNotFoundError, UnknownAgentError } from './errors.js';
import type { SessionEvent } from './events.js';
import type { Head } from './head.js';
import { type InlineTurn, startInlineTurn } from './inline-turn.js';
import { appendInputRequest, type InputRequest, type SubmitResult } from './input-request.js';
import { LiveHub } from './live/live-hub.js';
import { jsonLogger, type Logger } from './logger.js';
import { runSession } from './loop.js';
import type { RunMessage, RunQueue } from './queue.js';
import type { LoopDeps, RunOutcome } from './run-context.js';
import { RunRegistry } from './run-registry.js';
import { rearmOverdue } from './schedules/schedule-commits.js';
import { fireSchedule } from './schedules/schedule-fire.js';
import { refKey, type SessionRef, sessionRef } from './session-ref.js';
import { type SessionView, sessionView } from './session-view.js';
import type { ListPage, ListQuery, SessionStore } from './store.js';
import { stalledSessions } from './sweep.js';
import type { WebhookTarget, WebhookUrlPolicy } from './webhooks/webhook-config.js';
import { type RegisteredWebhook, registerSessionWebhook } from './webhooks/webhook-registration.js';
import { WebhookSender, type WebhookSendOptions } from './webhooks/webhook-sender.js';

export type { CancelRequest, CancelResult } from './cancel.js';
export type { ConverseResult } from './converse-result.js';
export type { DecisionRequest } from './decision.js';
export type { InputRequest, SubmitResult } from './input-request.js';
export type { PendingApproval, SessionView } from './session-view.js';

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
  /** How webhooks are sent, and which URLs a session may register (webhooks/). */
  webhooks?: WebhookSendOptions & Partial<WebhookUrlPolicy>;
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
  /** The model calls this process is making, delta by delta: what a stream of its sessions follows. */
  readonly live = new LiveHub();
  private readonly defaultAgent: string;
  private readonly safetyNetDelayMs: number;
  /** Sends the webhook entries commits record (webhooks/). */
  readonly webhooks: WebhookSender;
  private readonly webhookUrlPolicy: WebhookUrlPolicy;
  /** The runs this process executes, so a cancel here stops them at once (cancel.ts). */
  private readonly runs = new RunRegistry();

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
    this.webhooks = new WebhookSender(this, options.webhooks);
    this.webhookUrlPolicy = {
      allowLocalHttp: options.webhooks?.allowLocalHttp ?? false,
      allowPrivate: options.webhooks?.allowPrivate ?? false,
    };
  }

  /** The agent of sessions that name none. */
  get defaultAgentName(): string {
    return this.defaultAgent;
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
    const result = await appendInputRequest(this, ref, this.inputAgent(input), input);
    // Enqueued on duplicates too: a client retrying because the first enqueue failed must not strand its input.
    await this.enqueue(ref, 'input', `input:${refKey(ref)}:${result.inputSeq}`, options.enqueueDelayMs);
    return result;
  }

  /**
   * Records an approval decision for a pending call and enqueues the run to resume. The decider is
   * `decision.identity`, the host's authenticated caller: it must be of the session's tenant and
   * pass the approver policy (the tool's, else the agent's, else the owning channel's, else holding
   * `approve`), or a 403 BatonError (`tenant_mismatch`, `not_an_approver`) is thrown and nothing is
   * written.
   */
  async decide(ref: SessionRef, decision: DecisionRequest): Promise<{ duplicate: boolean }> {
    try {
      return await this.decideOn(ref, decision);
    } catch (error) {
      // Not this session's call: one its child waits on (agents as tools) is decided on the child.
      if (!isBatonError(error) || error.code !== 'no_pending_approval') throw error;
      const child = childWaitingOn(await this.session(ref), decision.callId);
      if (!child) throw error;
      return this.decideOn({ tenant: ref.tenant, sessionId: child }, decision);
    }
  }

  private async decideOn(ref: SessionRef, decision: DecisionRequest): Promise<{ duplicate: boolean }> {
    const recorded = await recordDecision(
      {
        store: this.store,
        clock: this.clock,
        agentOf: (head) => this.agentOf(head),
        channelApprovers: (target) => channelApproversOf(this, target),
      },
      ref,
      decision,
    );
    // Enqueued on duplicates too: a client retrying because the first enqueue failed must not strand the run.
    await this.enqueue(ref, 'decision', `decision:${refKey(ref)}:${recorded.key}`);
    return { duplicate: recorded.duplicate };
  }

  /**
   * Stops the session's current run: records a `cancel` (deduplicated on `dedupeKey`), aborts the
   * model call or tools of a run in this process at once (a run elsewhere sees the cancel at its
   * next read of the head), and enqueues a run so one waiting for approval, or whose runner died,
   * ends too. The run finishes with reason `cancelled`; input after the cancel is answered as
   * usual. A session with no run (idle, failed) answers `{ cancelled: false }` and nothing is written.
   *
   * @example
   * const result = await baton.cancel(sessionRef('acme', 'chat-1'), { identity });
   */
  async cancel(ref: SessionRef, request: CancelRequest): Promise<CancelResult> {
    const result = await appendCancel(this, ref, request);
    if (!result.cancelled) return result;
    this.runs.cancel(ref, result.seq);
    // Enqueued on duplicates too: a client retrying because the first enqueue failed must not strand it.
    await this.enqueue(ref, 'input', `cancel:${refKey(ref)}:${result.seq}`);
    // The children its agent-tool calls wait for stop too (and theirs, in turn).
    const snapshot = await this.store.load(ref);
    for (const child of snapshot ? (delegationLinks(snapshot.head, snapshot.events).children ?? []) : []) {
      if (child.finished) continue;
      const reason = `the parent session ${ref.sessionId} was cancelled`;
      await this.cancel(
        { tenant: ref.tenant, sessionId: child.sessionId },
        { identity: request.identity, reason },
      );
    }
    return result;
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
    const { submit, running } = await this.startInline(ref, input, options.deadline);
    if (running) {
      const settled = running.then(
        () => undefined,
        (error: unknown) => {
          if (!isRetryable(error)) throw error;
          // The enqueued run message retries it; the client polls.
          this.logger.warn('inline run failed; the queue will retry', { session: refKey(ref), error });
        },
      );
      if (options.waitMs === undefined) {
        await settled;
      } else {
        // Past the wait the run goes on; its failure is logged, and the queued message retries it.
        settled.catch((error: unknown) =>
          this.logger.error('background run failed', { session: refKey(ref), error }),
        );
        let timer: NodeJS.Timeout | undefined;
        const waited = new Promise<void>((resolve) => {
          timer = setTimeout(resolve, options.waitMs);
        });
        await Promise.race([settled, waited]).finally(() => clearTimeout(timer));
      }
    }
    return this.answer(ref, submit);
  }

  /**
   * Records an input and runs its session in this invocation until the run finishes, waits, or must
   * continue later: `converse` without the answer. The outcome is null for a duplicate input (its
   * first delivery ran it). Like `converse`, the lease is taken in the input's commit when free.
   *
   * @example
   * const { outcome } = await baton.submitAndRun(ref, { text: 'hello', source: 'cli' }, { deadline: Date.now() + 60_000 });
   */
  async submitAndRun(
    ref: SessionRef,
    input: InputRequest,
    options: { deadline: number },
  ): Promise<{ submit: SubmitResult; outcome: RunOutcome | null }> {
    const { submit, running } = await this.startInline(ref, input, options.deadline);
    return { submit, outcome: running ? await running : null };
  }

  /**
   * Records an input and starts its run in this invocation without waiting for it (null for a
   * duplicate input): what a streamed `POST /sessions/{id}/messages` follows while it runs.
   *
   * @example
   * const { submit, running } = await baton.startTurn(ref, { text: 'hello', source: 'http' }, { deadline: Date.now() + 60_000 });
   */
  startTurn(ref: SessionRef, input: InputRequest, options: { deadline: number }): Promise<InlineTurn> {
    return this.startInline(ref, input, options.deadline);
  }

  private startInline(ref: SessionRef, input: InputRequest, deadline: number): Promise<InlineTurn> {
    return startInlineTurn(this.loopDeps(), ref, this.inputAgent(input), input, {
      deadline,
      // Enqueued on duplicates too: a client retrying because the first enqueue failed must not strand its input.
      enqueue: (submit) =>
        this.enqueue(ref, 'input', `input:${refKey(ref)}:${submit.inputSeq}`, this.safetyNetDelayMs),
    });
  }

  /** The answer to one input: its reply once the run that answered it finished. */
  async answer(ref: SessionRef, submit: SubmitResult): Promise<ConverseResult> {
    return answerOf(this.store, ref, submit, await this.session(ref));
  }

  /** For queue workers: run the session a message names; busy sessions come back after the lease expires. */
  async handle(message: RunMessage, options: { deadline: number; owner?: string }): Promise<HandleResult> {
    const ref = sessionRef(message.tenant, message.sessionId);
    if (message.reason === 'outbox') {
      // Webhook retries (webhooks/webhook-sender.ts): the message comes back until nothing is left.
      const nextMs = await this.webhooks.sendDue(ref, options.deadline);
      return nextMs === null ? { kind: 'done', outcome: 'idle' } : { kind: 'retry_later', delayMs: nextMs };
    }
    if (message.reason === 'wake' && message.schedule) {
      const firing = await fireSchedule(this, ref, message.schedule);
      if (firing.kind === 'not_yet') {
        return { kind: 'retry_later', delayMs: Math.max(1_000, firing.retryAt - this.clock.now() + 250) };
      }
      // Run on whatever the firing says: a delivery that fired and then crashed left input no run
      // has answered yet; where there is nothing to do, the run reads and writes nothing.
    }
    const outcome = await this.run(ref, options);
    // A child session that finished tells its parent, after every run (a crash after its last
    // commit is followed by this message again, which finds the run done and tells it then).
    if ('head' in outcome) await this.notifyParent(outcome.head);
    // The head is in hand: a schedule whose wake-up the queue lost is sent again (no read).
    if ('head' in outcome && outcome.head.schedules) await rearmOverdue(this, ref, outcome.head);
    if (outcome.kind === 'busy') {
      return { kind: 'retry_later', delayMs: Math.max(1_000, outcome.retryAt - this.clock.now() + 250) };
    }
    if (outcome.kind === 'fenced') return { kind: 'retry_later', delayMs: 1_000 };
    return { kind: 'done', outcome: outcome.kind };
  }

  async session(ref: SessionRef): Promise<SessionView> {
    const snapshot = await this.store.load(ref);
    if (!snapshot) throw new SessionNotFoundError(refKey(ref));
    const view = sessionView(snapshot.head, snapshot.events, this.agents.get(snapshot.head.agent));
    return view.children ? withChildApprovals(this, view) : view;
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
    let enqueued = 0;
    const stalled = stalledSessions(this.store, this.clock.now(), {
      idleForMs: options.idleForMs ?? 60_000,
      ...(options.limit ? { limit: options.limit } : {}),
    });
    for await (const head of stalled) {
      const ref = { tenant: head.tenant, sessionId: head.sessionId };
      await this.enqueue(ref, 'retry', `sweep:${refKey(ref)}:${head.version}`);
      enqueued++;
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

  /**
   * When `head` is a child session that finished the call it was started for (delegation/), enqueues
   * the run message that makes its parent collect the result. Harmless when repeated.
   */
  async notifyParent(head: Head | null): Promise<void> {
    const message = head ? parentMessage(head) : null;
    if (message) await this.queue.enqueue(message);
  }

  /**
   * Registers a callback URL for the session's run events: `{ url, events }`, checked against the
   * URL policy. Answers the webhook with its signing secret, shown this once.
   */
  registerWebhook(ref: SessionRef, request: { url: unknown; events: unknown }): Promise<RegisteredWebhook> {
    return registerSessionWebhook(this, ref, request, this.webhookUrlPolicy);
  }

  /** The agent-level webhooks of a session: each commit adds the outbox entries they want. */
  webhooksOf(head: Head): readonly WebhookTarget[] {
    return this.agents.get(head.agent)?.webhooks ?? [];
  }

  private inputAgent(input: InputRequest): Agent {
    const agentName = input.agent ?? this.defaultAgent;
    const agent = this.agents.get(agentName);
    if (!agent) throw new UnknownAgentError(agentName);
    return agent;
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
      webhooks: this.webhooks,
      live: this.live,
      runs: this.runs,
    };
  }
}
