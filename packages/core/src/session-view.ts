import type { Agent } from './agent.js';
import { runPosition } from './context.js';
import { type ChildSessionLink, delegationLinks } from './delegation/session-links.js';
import type { EventOf, SessionEvent } from './events.js';
import type { Head } from './head.js';
import type { Json, JsonObject } from './json.js';

export interface PendingApproval {
  callId: string;
  tool: string;
  arguments: string;
  /** The call was started once and its outcome is unknown; approving runs it again. */
  unknownOutcome: boolean;
}

export interface LastRetry {
  attempt: number;
  code: string;
  message: string;
  /** When the failure was recorded. */
  at: string;
  retryAt: string;
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
  /** The validated output of the run that gave `lastReply`, when that run had an output schema. */
  lastOutput?: Json;
  /**
   * The last retry scheduled since the last run finished: the run failed on something a retry can
   * fix (a throttled model, a timeout) and comes back at `retryAt`. Null when there is none.
   */
  lastRetry: LastRetry | null;
  usage: Head['usage'];
  /** A child session (agents as tools): the parent session and the call that started it. */
  parent?: { sessionId: string; callId: string };
  /** The child sessions this session's agent-tool calls started, with the approvals they wait on. */
  children?: ChildSessionLink[];
  createdAt: string;
  updatedAt: string;
}

/** What a client may see of a session, derived from its head and live context. */
export function sessionView(head: Head, events: SessionEvent[], agent: Agent | undefined): SessionView {
  const pendingApprovals: PendingApproval[] = [];
  if (agent && head.status === 'waiting_approval') {
    const position = runPosition(events, agent);
    for (const entry of position.pending) {
      if (entry.announced && !entry.decision) {
        pendingApprovals.push({
          callId: entry.call.callId,
          tool: entry.call.name,
          arguments: entry.call.arguments,
          unknownOutcome: entry.intent,
        });
      }
    }
  }
  let lastReply: string | null = null;
  let lastOutput: Json | undefined;
  let retry: EventOf<'retry_scheduled'> | undefined;
  let runEnded = false;
  for (let i = events.length - 1; i >= 0 && lastReply === null; i--) {
    const event = events[i]!;
    if (event.kind === 'retry_scheduled' && !runEnded) retry ??= event;
    if (event.kind === 'run_finished') {
      runEnded = true;
      if (event.text) lastReply = event.text;
      if (event.text) lastOutput = event.output;
    }
  }
  return {
    tenant: head.tenant,
    sessionId: head.sessionId,
    agent: head.agent,
    status: head.status,
    seq: head.seq,
    toolState: head.toolState,
    pendingApprovals,
    lastReply,
    ...(lastOutput !== undefined ? { lastOutput } : {}),
    lastRetry: retry
      ? {
          attempt: retry.attempt,
          code: retry.code,
          message: retry.message,
          at: new Date(retry.at).toISOString(),
          retryAt: new Date(retry.retryAt).toISOString(),
        }
      : null,
    usage: head.usage,
    ...delegationLinks(head, events),
    createdAt: new Date(head.createdAt).toISOString(),
    updatedAt: new Date(head.updatedAt).toISOString(),
  };
}
