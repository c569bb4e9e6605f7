import { type Identity, SCOPES } from '../auth/identity.js';
import type { Baton } from '../baton.js';
import { PayloadTooLargeError } from '../errors.js';
import { DEFAULT_MAX_BODY_BYTES, type HttpRequest } from '../http-routes.js';
import type { JsonObject } from '../json.js';
import type { StreamRouteOptions } from '../live/stream-routes.js';
import { chatCompletion } from './chat-completions.js';
import { openAiError, openAiErrorResponse } from './openai-errors.js';
import type { ResponseStreamEvent } from './response-events.js';
import { parseResponseRequest } from './response-request.js';
import {
  answerResponse,
  existingResponse,
  retrieveResponse,
  startResponse,
  streamResponse,
} from './responses-route.js';
import { sseResponse } from './sse.js';

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
 * The OpenAI-compatible routes for `app.fetch`: `POST /v1/responses`, `GET /v1/responses/{id}`
 * (`?stream=true`: its events again from the start, then live),
 * `POST /v1/chat/completions`, `GET /v1/models`; null for any other path. Never throws: every
 * failure is answered in OpenAI's error shape, so the `openai` SDK throws its matching error class.
 *
 * @example
 *   const response = await openAiRoute(baton, request, { identity, deadline: Date.now() + 60_000 });
 */
export async function openAiRoute(
  baton: Baton,
  request: HttpRequest,
  options: OpenAiRouteOptions,
): Promise<Response | null> {
  const segments = request.path.split('/').filter((segment) => segment !== '');
  if (segments[0] !== 'v1') return null;
  try {
    const identity: Identity = options.identity ?? {
      tenant: request.headers['x-baton-tenant'] ?? 'default',
      user: 'anonymous',
      scopes: SCOPES,
      via: 'local',
    };
    const method = request.method.toUpperCase();
    const route = `${method} /${segments.slice(1, 2).join('/')}${segments.length > 2 ? '/*' : ''}`;
    if (route === 'GET /models' && segments.length === 2) return json(models(baton));
    if (route === 'GET /responses/*' && segments.length === 3) {
      const id = decodeSegment(segments[2]!);
      if (request.query.get('stream') === 'true') {
        const started = await existingResponse(baton, identity.tenant, id);
        return sseResponse(baton, frames(await streamResponse(baton, started, options)));
      }
      return json(await retrieveResponse(baton, identity.tenant, id));
    }
    if (route === 'POST /responses' && segments.length === 2) {
      const parsed = parseResponseRequest(baton, body(request, options));
      const started = await startResponse(baton, parsed, {
        identity,
        idempotencyKey: idempotencyKey(request),
        deadline: options.deadline,
      });
      const session = { 'baton-session': started.position.ref.sessionId };
      if (parsed.stream)
        return sseResponse(baton, frames(await streamResponse(baton, started, options)), session);
      return json(await answerResponse(baton, started, options), session);
    }
    if (route === 'POST /chat/*' && segments[2] === 'completions' && segments.length === 3) {
      return await chatCompletion(baton, body(request, options), request.headers, identity, options);
    }
    throw openAiError(404, `no route for ${request.method} ${request.path}`, 'not_found');
  } catch (error) {
    return openAiErrorResponse(baton, error);
  }
}

/** `GET /v1/models`: the agents, as models. */
function models(baton: Baton): JsonObject {
  return {
    object: 'list',
    data: [...baton.agents.keys()].map((id) => ({ id, object: 'model', created: 0, owned_by: 'baton' })),
  };
}

async function* frames(events: AsyncGenerator<ResponseStreamEvent>): AsyncGenerator<string> {
  for await (const event of events) {
    yield event === null ? ': keep-alive\n\n' : `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
  }
}

function body(request: HttpRequest, options: OpenAiRouteOptions): JsonObject {
  const raw = request.body ?? '';
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const bytes = Buffer.byteLength(raw, 'utf8');
  if (bytes > limit) throw new PayloadTooLargeError(bytes, limit);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw openAiError(400, 'the body is not valid JSON; send a JSON object', 'invalid_json');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw openAiError(400, 'the body must be a JSON object', 'invalid_request_error');
  }
  return parsed as JsonObject;
}

function idempotencyKey(request: HttpRequest): string | undefined {
  const key = request.headers['idempotency-key'];
  if (key !== undefined && (key.length === 0 || key.length > 256)) {
    throw openAiError(
      400,
      'Idempotency-Key must be 1-256 characters',
      'invalid_request_error',
      'Idempotency-Key',
    );
  }
  return key;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw openAiError(400, 'the path is not valid percent-encoding', 'invalid_request_error');
  }
}

function json(body: JsonObject, headers: Record<string, string> = {}): Response {
  return new Response(`${JSON.stringify(body)}\n`, {
    status: 200,
    headers: { 'content-type': 'application/json', ...headers },
  });
}
