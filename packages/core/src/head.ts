import { randomBytes } from 'node:crypto';
import type { Usage } from './events.js';
import { SCHEMA_VERSION } from './events.js';
import type { JsonObject } from './json.js';
import type { SessionWebhook } from './webhooks/webhook-config.js';

/**
 * - idle: nothing to do until new input arrives.
 * - running: input or a run is pending; some invocation holds or will take the lease.
 * - waiting_approval: the run stopped at an approval-gated tool call.
 * - waiting_child: the run stopped until the child sessions of its agent tools finish (delegation/).
 * - failed: the last run stopped on an error that a retry cannot fix; new input starts afresh.
 */
export type SessionStatus = 'idle' | 'running' | 'waiting_approval' | 'waiting_child' | 'failed';

export interface Lease {
  owner: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  /** Fencing token: increases by one on every acquisition, never reused. */
  epoch: number;
}

/** The session's small mutable record. Its size does not grow with the conversation. */
export interface Head {
  v: number;
  tenant: string;
  sessionId: string;
  agent: string;
  /**
   * Which life of the session id this is: chosen when the session is created and kept by every
   * commit, so a writer still holding a head of a deleted session never lands on a new session of
   * the same id, whatever its version. Absent on heads stored before incarnations existed
   * (`incarnationOf` reads them as LEGACY_INCARNATION).
   */
  incarnation?: string;
  /** Increases by one on every write of the head; commits are conditioned on it (and on `incarnation`). */
  version: number;
  /** Sequence number of the last event (0 for none). */
  seq: number;
  status: SessionStatus;
  lease: Lease | null;
  /** Highest lease epoch ever granted, so a new lease after a release still fences the old holder. */
  leaseEpoch: number;
  /** Session tool state, committed together with the tool result that changed it. */
  toolState: JsonObject;
  /** First event of the live context (after the last summary); load reads from here. */
  contextStart: number;
  /** Sequence number of the summary event that replaces everything before contextStart, if any. */
  summarySeq: number | null;
  /** Sequence number of the last input or decision appended (by anyone). */
  lastInputSeq: number;
  /** The lease holder has read every event up to here; input after it is unread and blocks release. */
  processedSeq: number;
  /**
   * Seq of the last `cancel` event (cancel.ts): a lease holder that reads a head with a higher one
   * than it knows stops its run. Absent until a session is first cancelled.
   */
  cancelSeq?: number;
  /** Model calls in the current run (reset when a run finishes). */
  runSteps: number;
  /** Accumulated token usage of the session. */
  usage: Usage;
  createdAt: number;
  updatedAt: number;
  /** W3C traceparent of the run in progress, so one trace spans invocations. */
  traceparent?: string;
  /** Webhooks registered on this session (webhooks/), secrets included; absent when none. */
  webhooks?: SessionWebhook[];
  /**
   * Active schedules (schedules/): when each fires next and the seq of its `schedule_set` event.
   * Absent when there are none, so a session without schedules stores nothing more.
   */
  schedules?: ScheduleSlot[];
  /** A child session's link to the agent-tool call that started it (delegation/); absent otherwise. */
  parent?: ParentLink;
}

/** Where a child session's result goes: the parent session and call (delegation/parent-link.ts). */
export interface ParentLink {
  sessionId: string;
  callId: string;
  /** Seq of the parent's model response that made the call. */
  responseSeq: number;
  /** 1 for a child of a session no agent started, 2 for its child, ... */
  depth: number;
  /** Seq of the child's first run_finished, set in the commit that writes it: the result to deliver. */
  resultSeq?: number;
}

/** One active schedule on the head: a few dozen bytes; its text and rule stay in the log. */
export interface ScheduleSlot {
  id: string;
  /** Epoch ms of the next occurrence. */
  dueAt: number;
  /** Seq of the schedule_set event that holds the text and the rule. */
  seq: number;
}

/**
 * Whether the session may have work no run has done yet: it is running, or it waits for approval
 * and a decision (or input) arrived after what the last run read. Stores keep an index of exactly
 * these heads (`SessionStore.listPending`), written in the same commit as the head.
 */
export function hasPendingWork(head: Pick<Head, 'status' | 'lastInputSeq' | 'processedSeq'>): boolean {
  return (
    head.status === 'running' ||
    ((head.status === 'waiting_approval' || head.status === 'waiting_child') &&
      head.lastInputSeq > head.processedSeq)
  );
}

/** The incarnation of a head stored before heads carried one. */
export const LEGACY_INCARNATION = 'legacy';

/** The head's incarnation; heads stored before incarnations existed all share LEGACY_INCARNATION. */
export function incarnationOf(head: Pick<Head, 'incarnation'>): string {
  return head.incarnation ?? LEGACY_INCARNATION;
}

/**
 * Whether `next` may replace `stored`: a commit keeps the incarnation of the head it read. Every
 * store checks this together with the version, atomically.
 */
export function sameIncarnation(stored: Pick<Head, 'incarnation'>, next: Pick<Head, 'incarnation'>): boolean {
  return incarnationOf(stored) === incarnationOf(next);
}

/** The head of a session that has no events yet, in a new incarnation of its id. */
export function newHead(tenant: string, sessionId: string, agent: string, now: number): Head {
  return {
    v: SCHEMA_VERSION,
    tenant,
    sessionId,
    agent,
    // 96 random bits, as 16 base64url characters: unique enough, and the head repeats it on every write.
    incarnation: randomBytes(12).toString('base64url'),
    version: 0,
    seq: 0,
    status: 'idle',
    lease: null,
    leaseEpoch: 0,
    toolState: {},
    contextStart: 1,
    summarySeq: null,
    lastInputSeq: 0,
    processedSeq: 0,
    runSteps: 0,
    usage: { inputTokens: 0, outputTokens: 0 },
    createdAt: now,
    updatedAt: now,
  };
}
