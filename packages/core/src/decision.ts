import type { Agent } from './agent.js';
import { appendInput } from './appends.js';
import { runPosition } from './context.js';
import { BatonError, SessionNotFoundError, ValidationError } from './errors.js';
import type { EventBody } from './events.js';
import type { Head } from './head.js';
import type { CommitTarget } from './head-commit.js';
import { refKey, type SessionRef } from './session-ref.js';

export interface DecisionRequest {
  callId: string;
  approved: boolean;
  reason?: string;
  by?: string;
  dedupeKey?: string;
}

/**
 * Records an approval decision for a call that waits for one. The same decision again is a
 * duplicate; a different one for a decided call, or one for a call that does not wait, is refused.
 */
export async function recordDecision(
  target: CommitTarget & { agentOf(head: Head): Agent },
  ref: SessionRef,
  decision: DecisionRequest,
): Promise<{ duplicate: boolean }> {
  validate(decision);
  const snapshot = await target.store.load(ref);
  if (!snapshot) throw new SessionNotFoundError(refKey(ref));
  const agent = target.agentOf(snapshot.head);
  const position = runPosition(snapshot.events, agent);
  const pending = position.pending.find((entry) => entry.call.callId === decision.callId);
  const dedupeKey = `decision:${decision.callId}`;
  if (!pending || pending.decision) {
    const earlier = await target.store.getDedupe(ref, dedupeKey);
    const same = earlier && (earlier.result as { approved?: boolean }).approved === decision.approved;
    if (same) return { duplicate: true };
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
  const appended = await appendInput(target, ref, body, {
    agent: agent.name,
    dedupeKey,
    dedupeResult: { approved: decision.approved },
  });
  if (appended.duplicate) return recordDecision(target, ref, decision);
  return { duplicate: false };
}

function validate(decision: DecisionRequest): void {
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
}
