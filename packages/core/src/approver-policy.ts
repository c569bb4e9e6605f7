import { type Identity, SCOPES, type Scope } from './auth/identity.js';
import { BatonError } from './errors.js';
import type { Json } from './json.js';
import type { SessionRef } from './session-ref.js';

/** The call an approver decides: the tool's name, its arguments as the model gave them, its id. */
export interface ApprovalCall {
  tool: string;
  args: Json;
  callId: string;
}

/**
 * Who may decide a call that waits for approval, from the caller's authenticated identity.
 * - `{ users, scope }`: the identity's user is one of `users` (exactly, e.g. `key:ab12…`,
 *   `slack:U024BE7LH`, `cli:ops`) when given, and it holds `scope` (default `approve`; `admin`
 *   holds every scope).
 * - a function: asked only for identities that hold `approve` or `admin`, so it can narrow who
 *   decides (by user, tenant, tool or arguments) but never widen it to callers without the scope.
 * Without a policy, any identity of the session's tenant that holds `approve` or `admin` decides.
 *
 * @example
 * const approvers: ApproverPolicy = { users: ['slack:U024BE7LH', 'key:abcdefghijklmnop'] };
 */
export type ApproverPolicy =
  | { users?: readonly string[]; scope?: Scope }
  | ((identity: Identity, call: ApprovalCall) => boolean);

/**
 * A channel's policy for the sessions it owns (Slack's SLACK_APPROVERS), or undefined for others.
 * An agent's or tool's own policy wins over it.
 */
export type ChannelApprovers = (ref: SessionRef) => ApproverPolicy | undefined;

function holds(identity: Identity, scope: Scope): boolean {
  return identity.scopes.includes(scope) || identity.scopes.includes('admin');
}

/** Whether `identity` may decide `call` under `policy` (undefined: the default, holding `approve`). */
export function mayApprove(
  policy: ApproverPolicy | undefined,
  identity: Identity,
  call: ApprovalCall,
): boolean {
  if (typeof policy === 'function') return holds(identity, 'approve') && policy(identity, call) === true;
  if (policy?.users && !policy.users.includes(identity.user)) return false;
  return holds(identity, policy?.scope ?? 'approve');
}

/** The policy that governs a call: the tool's, else the agent's, else the channel's, else the default. */
export function governingPolicy(...candidates: (ApproverPolicy | undefined)[]): ApproverPolicy | undefined {
  return candidates.find((policy) => policy !== undefined);
}

/** Throws the 403 a refused approver gets; nothing has been written when it is thrown. */
export function notAnApprover(identity: Identity, call: ApprovalCall): BatonError {
  return new BatonError('not_an_approver', `${identity.user} may not decide call ${call.callId}`, {
    status: 403,
    details: { callId: call.callId, tool: call.tool },
  });
}

/** Checks a policy where it is defined (defineAgent, defineTool, a channel), so a typo fails at start. */
export function checkApproverPolicy(policy: unknown, where: string): ApproverPolicy | undefined {
  if (policy === undefined || typeof policy === 'function') return policy as ApproverPolicy | undefined;
  const bad = (what: string) => new Error(`${where}: approvers ${what}`);
  if (typeof policy !== 'object' || policy === null) throw bad('must be { users, scope } or a function');
  const { users, scope, ...rest } = policy as { users?: unknown; scope?: unknown };
  const extra = Object.keys(rest);
  if (extra.length > 0) throw bad(`has unknown fields: ${extra.join(', ')}`);
  if (
    users !== undefined &&
    (!Array.isArray(users) || users.some((u) => typeof u !== 'string' || u === ''))
  ) {
    throw bad('users must be a list of non-empty strings');
  }
  if (scope !== undefined && !SCOPES.includes(scope as Scope)) {
    throw bad(`scope must be one of ${SCOPES.join(', ')}`);
  }
  return {
    ...(users ? { users: [...(users as string[])] } : {}),
    ...(scope ? { scope: scope as Scope } : {}),
  };
}

// Channels are built after their Baton (they are given it), so they register their policy on it.
const channelPolicies = new WeakMap<object, Map<string, ChannelApprovers>>();

/**
 * Registers (or, with undefined, removes) a channel's approver policy on a Baton: `decide` consults
 * it for the sessions it returns a policy for, whichever way the decision arrives (HTTP, console,
 * CLI, the channel itself).
 *
 * @example
 * setChannelApprovers(baton, 'slack', (ref) => (isSlackSession(ref) ? { users: ['slack:U1'] } : undefined));
 */
export function setChannelApprovers(
  baton: object,
  channel: string,
  approvers: ChannelApprovers | undefined,
): void {
  let byChannel = channelPolicies.get(baton);
  if (!byChannel) {
    byChannel = new Map();
    channelPolicies.set(baton, byChannel);
  }
  if (approvers) byChannel.set(channel, approvers);
  else byChannel.delete(channel);
}

/** The first channel policy registered on `baton` that claims `ref`. */
export function channelApproversOf(baton: object, ref: SessionRef): ApproverPolicy | undefined {
  for (const approvers of channelPolicies.get(baton)?.values() ?? []) {
    const policy = approvers(ref);
    if (policy !== undefined) return policy;
  }
  return undefined;
}
