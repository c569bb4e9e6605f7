import type { Agent } from './agent.js';
import { runPosition } from './context.js';
import type { SessionEvent } from './events.js';
import type { Head } from './head.js';
import type { JsonObject } from './json.js';

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
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i]!;
    if (event.kind === 'run_finished' && event.text) {
      lastReply = event.text;
      break;
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
    usage: head.usage,
    createdAt: new Date(head.createdAt).toISOString(),
    updatedAt: new Date(head.updatedAt).toISOString(),
  };
}
