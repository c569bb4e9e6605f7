import type { Baton } from '../baton.js';
import { type SessionView, sessionView } from '../session-view.js';

/** Children read per view at most: a parent rarely waits on more at once. */
const MAX_CHILDREN_READ = 8;

/**
 * A parent's view with each running child's status and pending approvals, so whoever watches the
 * parent sees what its children wait for (decided on `POST /sessions/{child}/approvals/{callId}`,
 * or through the parent's route, which forwards). One load per unfinished child.
 */
export async function withChildApprovals(baton: Baton, view: SessionView): Promise<SessionView> {
  const open = (view.children ?? []).filter((child) => !child.finished).slice(-MAX_CHILDREN_READ);
  if (open.length === 0) return view;
  const children = await Promise.all(
    (view.children ?? []).map(async (child) => {
      if (!open.includes(child)) return child;
      const ref = { tenant: view.tenant, sessionId: child.sessionId };
      const snapshot = await baton.store.load(ref);
      if (!snapshot) return child;
      const childView = sessionView(snapshot.head, snapshot.events, baton.agents.get(snapshot.head.agent));
      return { ...child, status: childView.status, pendingApprovals: childView.pendingApprovals };
    }),
  );
  return { ...view, children };
}

/**
 * The child session of `view` that waits for a decision on `callId`, if any: what lets a decision
 * sent to the parent's route reach the child whose approval the parent's view lists.
 */
export function childWaitingOn(view: SessionView, callId: string): string | undefined {
  return view.children?.find((child) =>
    child.pendingApprovals?.some((approval) => approval.callId === callId),
  )?.sessionId;
}
