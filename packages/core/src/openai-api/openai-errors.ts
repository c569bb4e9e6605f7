import type { Baton } from '../baton.js';
import { BatonError, isBatonError } from '../errors.js';

/** OpenAI's error `type` for an HTTP status (what the `openai` SDK's error classes are keyed on). */
function typeOf(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 409) return 'conflict_error';
  if (status === 422) return 'unprocessable_entity_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

/**
 * A BatonError to answer in OpenAI's shape: `status` picks the SDK's error class (400
 * BadRequestError, 404 NotFoundError, ...), `param` names the offending field.
 *
 * @example
 *   throw openAiError(404, 'no response resp_x; start a new conversation', 'response_not_found', 'previous_response_id');
 */
export function openAiError(status: number, message: string, code: string, param?: string): BatonError {
  return new BatonError(code, message, { status, ...(param ? { details: { field: param } } : {}) });
}

/**
 * Any error as OpenAI's `{ error: { message, type, param, code } }` with its status; an error
 * that is not a BatonError is logged and answered as a retryable 500.
 *
 * @example
 *   return openAiErrorResponse(baton, new ValidationError('input must be a string', { field: 'input' }));
 */
export function openAiErrorResponse(baton: Baton, error: unknown): Response {
  if (!isBatonError(error)) {
    baton.logger.error('unhandled error in the OpenAI-compatible API', { error });
    return errorJson(500, {
      message: 'internal error; retry',
      type: 'server_error',
      param: null,
      code: 'internal',
    });
  }
  const status = error.status >= 400 ? error.status : 500;
  const field = error.details?.field;
  return errorJson(status, {
    message: error.message,
    type: typeOf(status),
    param: typeof field === 'string' ? field : null,
    code: error.code,
  });
}

function errorJson(status: number, error: Record<string, unknown>): Response {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (status === 401) headers['www-authenticate'] = 'Bearer';
  return new Response(`${JSON.stringify({ error })}\n`, { status, headers });
}
