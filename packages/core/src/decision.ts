import type { Agent } from './agent.js';
import { appendInput } from './appends.js';
import {
  type ApprovalCall,
  type ApproverPolicy,
  governingPolicy,
  mayApprove,
  notAnApprover,
} from './approver-policy.js';
import type { Identity } from './auth/identity.js';
import { runPosition } from './context.js';
import { BatonError, SessionNotFoundError, ValidationError } from './errors.js';
import type { EventBody, SessionEvent, ToolCall } from './events.js';
import type { Head } from './head.js';
import type { CommitTarget } from './head-commit.js';
import type { Json } from './json.js';
import { refKey, type SessionRef } from './session-ref.js';

export interface DecisionRequest {
  callId: string;
  approved: boolean;
  reason?: string;
  /**
   * Who decides, as authenticated by the host (never from request input): checked against the
   * approver policy, and recorded with the decision as `by` (its user) and `via`.
   */
  identity: Identity;
  dedupeKey?: string;
}

/** What recordDecision reads besides the store: the session's agent and the channel's policy. */
export interface DecisionTarget extends CommitTarget {
  agentOf(head: Head): Agent;
  channelApprovers?(ref: SessionRef): ApproverPolicy | undefined;
}

/**
 * Records an approval decision for a call that waits for one. The same decision again is a
 * duplicate; a different one for a decided call, or one for a call that does not wait, is refused.
 * `key` names the call uniquely in the session (model response seq and call id): providers may
 * repeat call ids across responses, so keys derived from the call id alone would collide.
 */
export async function recordDecision(
  target: DecisionTarget,
  ref: SessionRef,
  decision: DecisionRequest,
): Promise<{ duplicate: boolean; key: string }> {
  validate(decision);
  const { identity } = decision;
  // Before the load: a caller of another tenant learns nothing about this one's sessions.
  if (identity.tenant !== ref.tenant) {
    throw new BatonError('tenant_mismatch', 'the session belongs to another tenant than the caller', {
      status: 403,
    });
  }
  const snapshot = await target.store.load(ref);
  if (!snapshot) throw new SessionNotFoundError(refKey(ref));
  const agent = target.agentOf(snapshot.head);
  const position = runPosition(snapshot.events, agent);
  const pending = position.pending.find((entry) => entry.call.callId === decision.callId);
  if (!pending || pending.decision) {
    // Decided already (or never asked): the call is the latest one with this id.
    const latest = pending
      ? { seq: pending.responseSeq, call: pending.call }
      : latestCall(snapshot.events, decision.callId);
    if (!latest) throw notPending(decision.callId);
    // Only an approver learns how the call was decided.
    checkApprover(target, ref, agent, identity, latest.call);
    const key = `${latest.seq}:${decision.callId}`;
    return { duplicate: await sameAsRecorded(target, ref, key, decision), key };
  }
  checkApprover(target, ref, agent, identity, pending.call);
  const key = `${pending.responseSeq}:${decision.callId}`;
  const body: EventBody = {
    kind: 'decision',
    callId: decision.callId,
    approved: decision.approved,
    ...(decision.reason ? { reason: decision.reason } : {}),
    by: identity.user,
    via: identity.via,
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

/** The tool's policy, else the agent's, else the channel's for this session, else the default. */
function checkApprover(
  target: DecisionTarget,
  ref: SessionRef,
  agent: Agent,
  identity: Identity,
  toolCall: ToolCall,
): void {
  const tool = agent.tools.find((candidate) => candidate.name === toolCall.name);
  const policy = governingPolicy(tool?.approvers, agent.approvers, target.channelApprovers?.(ref));
  const call: ApprovalCall = {
    tool: toolCall.name,
    args: parsedArguments(toolCall),
    callId: toolCall.callId,
  };
  if (!mayApprove(policy, identity, call)) throw notAnApprover(identity, call);
}

/** The arguments as JSON when the model produced JSON, else the text as it came. */
function parsedArguments(call: ToolCall): Json {
  try {
    return JSON.parse(call.arguments) as Json;
  } catch {
    return call.arguments;
  }
}

function latestCall(events: SessionEvent[], callId: string): { seq: number; call: ToolCall } | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i]!;
    if (event.kind !== 'model_response') continue;
    const call = event.toolCalls.find((candidate) => candidate.callId === callId);
    if (call) return { seq: event.seq, call };
  }
  return undefined;
}

function notPending(callId: string): BatonError {
  return new BatonError('no_pending_approval', `call ${callId} is not waiting for approval`, {
    status: 404,
    details: { callId },
  });
}

const IDENTITY_SOURCES = new Set(['api_key', 'jwt', 'custom', 'platform', 'slack', 'cli', 'local', 'none']);

function validate(decision: DecisionRequest): void {
  const identity = decision.identity as Partial<Identity> | undefined;
  if (
    typeof identity !== 'object' ||
    identity === null ||
    typeof identity.tenant !== 'string' ||
    typeof identity.user !== 'string' ||
    identity.user === '' ||
    !Array.isArray(identity.scopes) ||
    !IDENTITY_SOURCES.has(identity.via as string)
  ) {
    throw new ValidationError('a decision needs the authenticated identity of who decides', {
      field: 'identity',
    });
  }
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
