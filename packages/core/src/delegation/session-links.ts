import type { SessionEvent } from '../events.js';
import type { Head } from '../head.js';
import type { PendingApproval } from '../session-view.js';

/** A child session one of the session's agent-tool calls started (delegation/). */
export interface ChildSessionLink {
  callId: string;
  sessionId: string;
  /** Its result is recorded in this session. */
  finished: boolean;
  /** The child's status and the calls it waits on approval for (decide them on the child's route). */
  status?: Head['status'];
  pendingApprovals?: PendingApproval[];
}

/** The links of a session view: the call that started it (a child) and the children it started. */
export function delegationLinks(
  head: Head,
  events: readonly SessionEvent[],
): { parent?: { sessionId: string; callId: string }; children?: ChildSessionLink[] } {
  const children = new Map<string, ChildSessionLink>();
  for (const event of events) {
    if ((event.kind === 'tool_intent' || event.kind === 'tool_result') && event.child) {
      const key = `${event.child}`;
      const known = children.get(key);
      const finished = event.kind === 'tool_result' || known?.finished === true;
      children.set(key, { callId: event.callId, sessionId: event.child, finished });
    }
  }
  return {
    ...(head.parent ? { parent: { sessionId: head.parent.sessionId, callId: head.parent.callId } } : {}),
    ...(children.size > 0 ? { children: [...children.values()] } : {}),
  };
}
