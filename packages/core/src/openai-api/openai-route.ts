import type { Identity } from '../auth/identity.js';
import type { Baton } from '../baton.js';
import type { HttpRequest } from '../http-routes.js';
import type { StreamRouteOptions } from '../live/stream-routes.js';
import { openAiError, openAiErrorResponse } from './openai-errors.js';

export interface OpenAiRouteOptions {
  /** The caller as `app.fetch` authenticated it (null: direct calls, the local identity). */
  identity: Identity | null;
  /** Epoch ms by which the invocation must return. */
  deadline: number;
  /** Answer after this long even if the run goes on (hosts that keep running only). */
  waitMs?: number;
  maxBodyBytes?: number;
  signal?: AbortSignal;
  stream?: StreamRouteOptions['stream'];
}

/**
 * The OpenAI-compatible routes for `app.fetch`: `/v1/responses`, `/v1/responses/{id}`,
 * `/v1/chat/completions`, `/v1/models`; null for any other path. Never throws: every failure is
 * answered in OpenAI's error shape, so the `openai` SDK throws its matching error class.
 *
 * @example
 *   const response = await openAiRoute(baton, request, { identity, deadline: Date.now() + 60_000 });
 */
export async function openAiRoute(
  baton: Baton,
  request: HttpRequest,
  options: OpenAiRouteOptions,
): Promise<Response | null> {
  if (!request.path.startsWith('/v1/')) return null;
  try {
    void baton;
    void options;
    throw openAiError(501, 'not implemented yet', 'server_error');
  } catch (error) {
    return openAiErrorResponse(baton, error);
  }
}
