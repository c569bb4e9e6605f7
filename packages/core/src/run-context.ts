import type { Context } from '@opentelemetry/api';
import type { Agent } from './agent.js';
import type { Clock } from './clock.js';
import type { BatonError } from './errors.js';
import type { EventBody, SessionEvent } from './events.js';
import type { Head } from './head.js';
import type { Json } from './json.js';
import type { LiveHub } from './live/live-hub.js';
import type { Logger } from './logger.js';
import type { RunQueue } from './queue.js';
import type { RunRegistry } from './run-registry.js';
import type { SessionWriter } from './session-writer.js';
import type { SessionStore } from './store.js';
import type { WebhookSender } from './webhooks/webhook-sender.js';

/** What a run needs from its host. */
export interface LoopDeps {
  store: SessionStore;
  agents: ReadonlyMap<string, Agent>;
  queue: RunQueue;
  clock: Clock;
  logger: Logger;
  /** Sends the webhook entries a run committed, right after it (webhooks/). */
  webhooks?: WebhookSender;
  /** Where a model call in this process publishes its deltas (live/live-hub.ts). */
  live?: LiveHub;
  /** The runs this process is executing, so a cancel in the same process reaches them at once. */
  runs?: RunRegistry;
}

export interface RunOptions {
  /** Epoch ms by which this invocation must have committed and returned. */
  deadline: number;
  /** Who holds the lease: unique per invocation. */
  owner: string;
}

/** How an invocation left the session. Pausing and continuing are outcomes, not exceptions. */
export type RunOutcome =
  /** `output`: the answer validated against the run's output schema, when it has one. */
  | { kind: 'finished'; head: Head; text: string; output?: Json }
  | { kind: 'waiting_approval'; head: Head; callIds: string[] }
  /** Waits for the child sessions of its agent-tool calls (delegation/), holding no lease. */
  | { kind: 'waiting_child'; head: Head; callIds: string[] }
  | { kind: 'continued'; head: Head; nextStep: string }
  | { kind: 'failed'; head: Head; error: BatonError }
  | { kind: 'cancelled'; head: Head }
  | { kind: 'idle'; head: Head }
  | { kind: 'busy'; retryAt: number }
  | { kind: 'fenced' }
  | { kind: 'not_found' };

/** What one step of a run (a model call, tools, a compaction, a continuation) works with. */
export interface RunContext {
  readonly deps: LoopDeps;
  readonly agent: Agent;
  readonly writer: SessionWriter;
  /** The live context as this run knows it, in seq order; commits append to it. */
  readonly events: SessionEvent[];
  readonly options: RunOptions;
  readonly traceContext: Context;
  readonly logger: Logger;
  /** Aborts when the invocation's deadline passes. */
  readonly deadlineSignal: AbortSignal;
  /** Aborts when a cancel arrives that the run has not acted on (its reason a RunCancelledError). */
  readonly cancelSignal: AbortSignal;
  /** Whether this invocation committed a step (anything but a continuation). */
  readonly progressed: boolean;
  /** Whether `neededMs` fits before the deadline. */
  fits(neededMs: number): boolean;
  /** Commits a step through the writer and adds its events to `events`. */
  /** `afterCancel`: committed even when a cancel is pending (an at-most-once tool's result). */
  commit(
    events: EventBody[],
    update?: (head: Head) => Head,
    holdMs?: number,
    afterCancel?: boolean,
  ): Promise<void>;
  /**
   * Adds a step that no one outside the run depends on yet (an idempotent tool's result) to the
   * context now, and commits it with the next commit (StagedSteps).
   */
  stage(event: EventBody, update?: (head: Head) => Head): void;
  /** Releases the lease with `events`; null when unread events came first (nothing was written). */
  release(status: Head['status'], events?: EventBody[], before?: (head: Head) => Head): Promise<Head | null>;
}
