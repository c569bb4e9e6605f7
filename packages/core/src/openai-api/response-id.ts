import { createHash } from 'node:crypto';
import { type SessionRef, sessionRef } from '../session-ref.js';
import { openAiError } from './openai-errors.js';

/** Where a response starts in its session: the `input` or first `decision` event it answers. */
export interface ResponsePosition {
  ref: SessionRef;
  /** The seq of that event. */
  seq: number;
}

const ID = /^resp_(\d{1,15})_([0-9a-f]{8})_([A-Za-z0-9_-]{1,400})$/;

/**
 * A response id names the session and the position it answers: `resp_<seq>_<tenant tag>_<session
 * id, base64url>`, the tenant tag being the first 8 hex digits of the tenant's SHA-256. Nothing is
 * stored for it: `previous_response_id` and `GET /v1/responses/{id}` decode it, and an id of
 * another tenant (its tag differs) is as unknown as one that never existed.
 *
 * @example
 *   responseId({ ref: sessionRef('acme', 'chat-1'), seq: 7 }); // 'resp_7_1a2b3c4d_Y2hhdC0x'
 */
export function responseId(position: ResponsePosition): string {
  const session = Buffer.from(position.ref.sessionId, 'utf8').toString('base64url');
  return `resp_${position.seq}_${tenantTag(position.ref.tenant)}_${session}`;
}

/**
 * The position a response id names for the caller's tenant; a 404 in OpenAI's shape (`param`
 * says which field) for an id that is malformed or of another tenant. Whether the session and the
 * event exist is the caller's to check.
 *
 * @example
 *   parseResponseId('acme', 'resp_7_1a2b3c4d_Y2hhdC0x', 'previous_response_id'); // { ref, seq: 7 }
 */
export function parseResponseId(tenant: string, id: string, param: string): ResponsePosition {
  const match = ID.exec(id);
  if (!match || match[2] !== tenantTag(tenant)) throw responseNotFound(id, param);
  const sessionId = Buffer.from(match[3]!, 'base64url').toString('utf8');
  try {
    return { ref: sessionRef(tenant, sessionId), seq: Number(match[1]) };
  } catch {
    throw responseNotFound(id, param);
  }
}

/** The 404 of an unknown response id. */
export function responseNotFound(id: string, param?: string) {
  const shown = id.length > 80 ? `${id.slice(0, 80)}...` : id;
  return openAiError(
    404,
    `Response with id '${shown}' not found; use an id a response of this API returned (or start a new conversation without one)`,
    'response_not_found',
    param,
  );
}

/** The id of the `mcp_approval_request` item asking to approve a call, and back. */
export function approvalRequestId(callId: string): string {
  return `mcpr_${callId}`;
}

/** The call id an `approval_request_id` names (an `mcpr_` id, or the call id itself). */
export function callIdOfApproval(approvalRequestId: string): string {
  return approvalRequestId.startsWith('mcpr_') ? approvalRequestId.slice(5) : approvalRequestId;
}

function tenantTag(tenant: string): string {
  return createHash('sha256').update(tenant, 'utf8').digest('hex').slice(0, 8);
}
