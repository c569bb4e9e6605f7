import type { Agent } from './agent.js';
import { appendInput } from './appends.js';
import { runPosition } from './context.js';
import { BatonError, SessionNotFoundError, ValidationError } from './errors.js';
import type { EventBody, SessionEvent } from './events.js';
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
 * `key` names the call uniquely in the session (model response seq and call id): providers may
 * repeat call ids across responses, so keys derived from the call id alone would collide.
 */
export async function recordDecision(
  target: CommitTarget & { agentOf(head: Head): Agent },
  ref: SessionRef,
  decision: DecisionRequest,
): Promise<{ duplicate: boolean; key: string }> {
  validate(decision);
  const snapshot = await target.store.load(ref);
  if (!snapshot) throw new SessionNotFoundError(refKey(ref));
  const agent = target.agentOf(snapshot.head);
  const position = runPosition(snapshot.events, agent);
  const pending = position.pending.find((entry) => entry.call.callId === decision.callId);
  if (!pending || pending.decision) {
    // Decided already (or never asked): the call is the latest one with this id.
    const responseSeq = pending?.responseSeq ?? latestResponseWith(snapshot.events, decision.callId);
    const key = `${responseSeq}:${decision.callId}`;
    if (responseSeq !== undefined)
      return { duplicate: await sameAsRecorded(target, ref, key, decision), key };
    throw notPending(decision.callId);
  }
  const key = `${pending.responseSeq}:${decision.callId}`;
  const body: EventBody = {
    kind: 'decision',
    callId: decision.callId,
    approved: decision.approved,
    ...(decision.reason ? { reason: decision.reason } : {}),
    ...(decision.by ? { by: decision.by } : {}),
  };
  const appended = await appendInput(target, ref, body, {
    agent: agent.name,
    dedupeKey: `decision:${key}`,
    dedupeResult: { approved: decision.approved },
  });
  // Another request recorded a decision for this call first: the same one is a duplicate.
  if (appended.duplicate) return { duplicate: await sameAsRecorded(target, ref, key, decision), key };
  return { duplicate: false, key };
}

/** True when `decision` is the one recorded for the call; throws when a different one is, or none. */
async function sameAsRecorded(
  target: CommitTarget,
  ref: SessionRef,
  key: string,
  decision: DecisionRequest,
): Promise<boolean> {
  const earlier = await target.store.getDedupe(ref, `decision:${key}`);
  if (!earlier) throw notPending(decision.callId);
  if ((earlier.result as { approved?: boolean }).approved === decision.approved) return true;
  throw new BatonError('already_decided', `call ${decision.callId} was already decided`, { status: 409 });
}

function latestResponseWith(events: SessionEvent[], callId: string): number | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i]!;
    if (event.kind === 'model_response' && event.toolCalls.some((call) => call.callId === callId)) {
      return event.seq;
    }
  }
  return undefined;
}

function notPending(callId: string): BatonError {
  return new BatonError('no_pending_approval', `call ${callId} is not waiting for approval`, {
    status: 404,
    details: { callId },
  });
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
