import { type Identity, isBatonError, type SessionRef, sessionRef } from '@baton/core';
import { type SlackChannel, slackUser } from './slack-channel.js';
import { SlackRequestError } from './slack-errors.js';
import { APPROVE_ACTION, REJECT_ACTION } from './slack-messages.js';
import {
  type ApprovalButtonValue,
  approvalButtonValue,
  blockActions,
  interactionType,
} from './slack-payloads.js';
import { ignored, issue, jsonResponse, parseJson, type SlackHttpResponse } from './slack-response.js';
import { isSlackSession, slackTenant } from './slack-session.js';

/** Decisions that are answered 200 with an explanation: the click was fine, the call was not pending. */
const SETTLED = new Set(['already_decided', 'no_pending_approval', 'session_not_found']);

/**
 * Interactivity (`payload=<JSON>`): an Approve / Reject click records a decision. The decision
 * enqueues the run, and the queue worker's delivery rewrites the approval message (through the
 * outbox), so this answers at once. Slack ignores the body of a block_actions answer; ours says
 * what happened for logs and tests.
 */
export async function handleInteraction(slack: SlackChannel, body: string): Promise<SlackHttpResponse> {
  const raw = new URLSearchParams(body).get('payload');
  if (raw === null)
    throw new SlackRequestError('invalid_form', 'interactivity requests carry a payload field');
  const json = parseJson(raw);
  const type = interactionType.safeParse(json);
  if (!type.success)
    throw new SlackRequestError('invalid_payload', `the payload has no type: ${issue(type.error)}`);
  if (type.data.type !== 'block_actions') return ignored(`unsupported_interaction:${type.data.type}`);
  const parsed = blockActions.safeParse(json);
  if (!parsed.success)
    throw new SlackRequestError('invalid_payload', `not a block_actions payload: ${issue(parsed.error)}`);
  const payload = parsed.data;
  const action = payload.actions.find((a) => a.action_id === APPROVE_ACTION || a.action_id === REJECT_ACTION);
  if (!action) return ignored('not_a_baton_action');
  const value = buttonValue(action.value);
  const teamId = payload.team?.id;
  const enterpriseId = payload.enterprise?.id ?? payload.team?.enterprise_id;
  if (!teamId && !enterpriseId) throw new SlackRequestError('invalid_payload', 'the payload names no team');
  const tenant = slackTenant({ enterpriseId, teamId: teamId ?? '' });
  const ref = buttonSession(value);
  // The button is ours, but a click must come from the workspace whose session it decides.
  if (ref.tenant !== tenant || !isSlackSession(ref)) {
    throw new SlackRequestError('forbidden', 'this button belongs to another workspace', 403);
  }
  // A signed click is the Slack user's own: the core approver policy decides whether they may.
  const identity: Identity = {
    tenant: ref.tenant,
    user: slackUser(payload.user.id),
    scopes: ['send', 'approve'],
    via: 'slack',
  };
  try {
    const decided = await slack.baton.decide(ref, {
      callId: value.c,
      approved: action.action_id === APPROVE_ACTION,
      identity,
    });
    return jsonResponse(200, { ok: true, duplicate: decided.duplicate });
  } catch (error) {
    if (isBatonError(error) && error.code === 'not_an_approver') {
      slack.baton.logger.warn('approval click refused: the user may not decide', {
        user: identity.user,
        callId: value.c,
      });
      return jsonResponse(200, { ok: false, error: 'not_an_approver' });
    }
    if (isBatonError(error) && SETTLED.has(error.code))
      return jsonResponse(200, { ok: false, error: error.code });
    throw error;
  }
}

function buttonValue(raw: string | undefined): ApprovalButtonValue {
  let value: unknown;
  try {
    value = JSON.parse(raw ?? '');
  } catch {
    throw new SlackRequestError('invalid_payload', 'the button value is not JSON');
  }
  const parsed = approvalButtonValue.safeParse(value);
  if (!parsed.success)
    throw new SlackRequestError('invalid_payload', `unexpected button value: ${issue(parsed.error)}`);
  return parsed.data;
}

function buttonSession(value: ApprovalButtonValue): SessionRef {
  return sessionRef(value.t, value.s);
}
