import { type Identity, SCOPES } from './auth/identity.js';
import type { RouteSpec } from './auth/route-spec.js';
import type { Baton, ConverseResult, InputRequest } from './baton.js';
import {
  BatonError,
  isBatonError,
  PayloadTooLargeError,
  SessionNotFoundError,
  ValidationError,
} from './errors.js';
import { eventsPage } from './events-page.js';
import type { SessionStatus } from './head.js';
import { idempotencyHash } from './idempotency.js';
import type { JsonObject } from './json.js';
import { OPENAI_ROUTES } from './openai-api/openai-routes-table.js';
import { scheduleRoute } from './schedules/schedule-routes.js';
import { refKey, type SessionRef, sessionRef } from './session-ref.js';
import { requestedOutput } from './structured-output.js';
import { publicWebhooks } from './webhooks/webhook-registration.js';

/**
 * The HTTP API, once, for every host: the local server, API Gateway / Function URLs and Azure
 * Functions translate their request into an HttpRequest and send back the HttpResponse.
 *
 *   POST   /sessions/{id}/messages            {"text": "...", "output"?: {"schema": {...}, "name"?}}  (Idempotency-Key dedupes)
 *   GET    /sessions/{id}                     status, tool state, pending approvals, last reply
 *   GET    /sessions/{id}/events?after=&limit=   at most 4 MiB of events; `next` says where to go on
 *   POST   /sessions/{id}/approvals/{callId}  {"approved": true|false, "reason": "..."}
 *   POST   /sessions/{id}/webhooks            {"url": "https://...", "events": ["run.finished"]} -> its secret, once
 *   GET    /sessions/{id}/webhooks            the session's webhooks, without secrets
 *   POST   /sessions/{id}/cancel              {"reason": "..."}  stops the current run (Idempotency-Key dedupes)
 *   POST   /sessions/{id}/schedules           {"text", "at" | "delaySeconds" | "cron", "timezone"?}
 *   GET    /sessions/{id}/schedules
 *   DELETE /sessions/{id}/schedules/{scheduleId}
 *   GET    /sessions?status=&limit=&cursor=
 *   DELETE /sessions/{id}
 *
 * The app matches every request against API_ROUTES and authenticates the caller before it gets
 * here (`app.fetch`); the tenant and the decider of an approval are the caller's identity's.
 */
export interface HttpRequest {
  method: string;
  /** Path without the query string, already stripped of any stage or route prefix. */
  path: string;
  query: URLSearchParams;
  /** Lower-case names. */
  headers: Record<string, string | undefined>;
  body: string | undefined;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: JsonObject;
}

/** The API's routes and who may call them; `app.fetch` enforces them before `handleHttp` runs. */
export const API_ROUTES: readonly RouteSpec[] = [
  { method: 'GET', path: '/healthz', access: 'public', owner: 'api' },
  { method: 'GET', path: '/sessions', access: 'read', owner: 'api' },
  { method: 'GET', path: '/sessions/{id}', access: 'read', owner: 'api' },
  { method: 'DELETE', path: '/sessions/{id}', access: 'admin', owner: 'api' },
  { method: 'POST', path: '/sessions/{id}/messages', access: 'send', owner: 'api' },
  { method: 'GET', path: '/sessions/{id}/events', access: 'read', owner: 'api' },
  { method: 'GET', path: '/sessions/{id}/stream', access: 'read', owner: 'api' },
  { method: 'POST', path: '/sessions/{id}/approvals/{callId}', access: 'approve', owner: 'api' },
  { method: 'POST', path: '/sessions/{id}/webhooks', access: 'send', owner: 'api' },
  { method: 'GET', path: '/sessions/{id}/webhooks', access: 'read', owner: 'api' },
  { method: 'POST', path: '/sessions/{id}/cancel', access: 'send', owner: 'api' },
  { method: 'POST', path: '/sessions/{id}/schedules', access: 'send', owner: 'api' },
  { method: 'GET', path: '/sessions/{id}/schedules', access: 'read', owner: 'api' },
  { method: 'DELETE', path: '/sessions/{id}/schedules/{scheduleId}', access: 'send', owner: 'api' },
  // The OpenAI-compatible front door (openai-api/): the same scopes as their /sessions counterparts.
  ...OPENAI_ROUTES,
];

export interface HttpRouteOptions {
  /** Epoch ms by which the invocation must return (Lambda remaining time, Azure timeout, local budget). */
  deadline: number;
  /** Answer a message request after this long even if the run goes on (hosts that keep running only). */
  waitMs?: number;
  /**
   * The caller, as `app.fetch` authenticated it: its tenant is the session's, its user decides
   * approvals. Without it (direct calls: tests, tools) the caller is the local identity of `tenant`
   * or the tenant header, as with `auth: 'none'`.
   */
  identity?: Identity;
  /** The tenant when there is no identity. */
  tenant?: string;
  maxBodyBytes?: number;
}

export const DEFAULT_MAX_BODY_BYTES = 256 * 1024;
const STATUSES: SessionStatus[] = ['idle', 'running', 'waiting_approval', 'waiting_child', 'failed'];

/** Routes one request; never throws: every failure becomes a JSON error with a specific status. */
export async function handleHttp(
  baton: Baton,
  request: HttpRequest,
  options: HttpRouteOptions,
): Promise<HttpResponse> {
  try {
    return await route(baton, request, options);
  } catch (error) {
    if (isBatonError(error))
      return json(error.status >= 400 ? error.status : 500, error.toJSON() as unknown as JsonObject);
    baton.logger.error('unhandled error in HTTP route', { error, path: request.path });
    return json(500, { error: { code: 'internal', message: 'internal error', retryable: true } });
  }
}

async function route(baton: Baton, request: HttpRequest, options: HttpRouteOptions): Promise<HttpResponse> {
  const segments = request.path.split('/').filter((segment) => segment !== '');
  const method = request.method.toUpperCase();
  if (segments[0] === 'healthz' && segments.length === 1) return json(200, { ok: true });
  if (segments[0] !== 'sessions') throw notFound(request.path);
  const identity: Identity = options.identity ?? {
    tenant: options.tenant ?? request.headers['x-baton-tenant'] ?? 'default',
    user: 'anonymous',
    scopes: SCOPES,
    via: 'local',
  };
  const tenant = identity.tenant;

  if (segments.length === 1) {
    if (method !== 'GET') throw methodNotAllowed(method, ['GET']);
    const status = request.query.get('status') ?? undefined;
    if (status !== undefined && !STATUSES.includes(status as SessionStatus)) {
      throw new ValidationError(`status must be one of ${STATUSES.join(', ')}`, { field: 'status' });
    }
    const page = await baton.list({
      tenant,
      ...(status ? { status: status as SessionStatus } : {}),
      limit: intParam(request.query, 'limit', 50, 1, 500),
      ...(request.query.get('cursor') ? { cursor: request.query.get('cursor')! } : {}),
    });
    return json(200, {
      sessions: page.sessions.map((head) => ({
        sessionId: head.sessionId,
        agent: head.agent,
        status: head.status,
        seq: head.seq,
        updatedAt: new Date(head.updatedAt).toISOString(),
      })),
      ...(page.cursor ? { cursor: page.cursor } : {}),
    });
  }

  const ref = sessionRef(tenant, decodeSegment(segments[1]!));
  const rest = segments.slice(2);
  if (rest.length === 0) {
    if (method === 'GET')
      return json(200, { session: { ...(await baton.session(ref)) } as unknown as JsonObject });
    if (method === 'DELETE') {
      await baton.delete(ref);
      return json(200, { deleted: true });
    }
    throw methodNotAllowed(method, ['GET', 'DELETE']);
  }
  if (rest[0] === 'messages' && rest.length === 1) {
    if (method !== 'POST') throw methodNotAllowed(method, ['POST']);
    const result = await baton.converse(ref, messageInput(ref, request, options), {
      deadline: options.deadline,
      ...(options.waitMs !== undefined ? { waitMs: options.waitMs } : {}),
    });
    return converseResponse(ref, result);
  }
  if (rest[0] === 'events' && rest.length === 1) {
    if (method !== 'GET') throw methodNotAllowed(method, ['GET']);
    // Paged by bytes as well as by count: one response must stay inside Lambda's 6 MB.
    const page = await eventsPage(baton, ref, {
      after: intParam(request.query, 'after', 0, 0, Number.MAX_SAFE_INTEGER),
      limit: intParam(request.query, 'limit', 200, 1, 1000),
    });
    return json(200, page);
  }
  if (rest[0] === 'cancel' && rest.length === 1) {
    if (method !== 'POST') throw methodNotAllowed(method, ['POST']);
    return cancelRoute(baton, ref, request, options, identity);
  }
  if (rest[0] === 'webhooks' && rest.length === 1) {
    if (method === 'GET') return json(200, { webhooks: await sessionWebhooks(baton, ref) });
    if (method !== 'POST') throw methodNotAllowed(method, ['GET', 'POST']);
    const body = parseBody(request, {
      ...options,
      maxBodyBytes: Math.min(options.maxBodyBytes ?? 4096, 4096),
    });
    const webhook = await baton.registerWebhook(ref, { url: body.url, events: body.events });
    return json(201, {
      webhook: {
        ...webhook,
        events: [...webhook.events],
        createdAt: new Date(webhook.createdAt).toISOString(),
      },
    });
  }
  if (rest[0] === 'approvals' && rest.length === 2) {
    if (method !== 'POST') throw methodNotAllowed(method, ['POST']);
    const body = parseBody(request, options);
    if (typeof body.approved !== 'boolean') {
      throw new ValidationError('approved must be true or false', { field: 'approved' });
    }
    if (body.reason !== undefined && typeof body.reason !== 'string') {
      throw new ValidationError('reason must be a string', { field: 'reason' });
    }
    const callId = decodeSegment(rest[1]!);
    const decided = await baton.decide(ref, {
      callId,
      approved: body.approved,
      ...(typeof body.reason === 'string' ? { reason: body.reason } : {}),
      identity,
    });
    return json(202, { accepted: true, duplicate: decided.duplicate, poll: sessionPath(ref) });
  }
  if (rest[0] === 'schedules' && rest.length <= 2) {
    const key = request.headers['idempotency-key'];
    const answer = await scheduleRoute(baton, ref, {
      method,
      rest: rest.map(decodeSegment),
      identity,
      idempotencyKey: key && key.length <= 256 ? key : undefined,
      body: () => parseBody(request, options),
    });
    return json(answer.status, answer.body);
  }
  throw notFound(request.path);
}

/**
 * The input a `POST /sessions/{id}/messages` records, its body and Idempotency-Key checked: a
 * BatonError (400, 413, 415) for anything wrong, before anything is written. Shared by the JSON
 * answer here and the streamed one (live/stream-routes.ts).
 *
 * @example
 *   const input = messageInput(ref, request, { maxBodyBytes: 262_144 }); // { text, source: 'http', ... }
 */
export function messageInput(
  ref: SessionRef,
  request: HttpRequest,
  options: Pick<HttpRouteOptions, 'maxBodyBytes'>,
): InputRequest {
  const body = parseBody(request, options);
  if (typeof body.text !== 'string') throw new ValidationError('text must be a string', { field: 'text' });
  if (body.agent !== undefined && typeof body.agent !== 'string') {
    throw new ValidationError('agent must be a string', { field: 'agent' });
  }
  const output = requestedOutput(body.output);
  const idempotencyKey = request.headers['idempotency-key'];
  if (idempotencyKey !== undefined && (idempotencyKey.length === 0 || idempotencyKey.length > 256)) {
    throw new ValidationError('Idempotency-Key must be 1-256 characters', { field: 'Idempotency-Key' });
  }
  return {
    text: body.text,
    source: 'http',
    ...(typeof body.agent === 'string' ? { agent: body.agent } : {}),
    ...(output ? { output } : {}),
    ...(idempotencyKey
      ? {
          dedupeKey: `http:${idempotencyKey}`,
          // Keys are scoped to one session: the same key on another session is a new request there.
          requestHash: idempotencyHash({
            method: 'POST',
            route: `${sessionPath(ref)}/messages`,
            tenant: ref.tenant,
            body: {
              text: body.text,
              agent: typeof body.agent === 'string' ? body.agent : undefined,
              output: output ? JSON.stringify(output) : undefined,
            },
          }),
        }
      : {}),
  };
}

/** 202 with the cancel's seq once recorded; 200 `{cancelled: false}` when no run was there to stop. */
async function cancelRoute(
  baton: Baton,
  ref: SessionRef,
  request: HttpRequest,
  options: HttpRouteOptions,
  identity: Identity,
): Promise<HttpResponse> {
  const body = parseBody(request, options);
  if (body.reason !== undefined && typeof body.reason !== 'string') {
    throw new ValidationError('reason must be a string', { field: 'reason' });
  }
  const reason = typeof body.reason === 'string' ? body.reason : undefined;
  const key = idempotencyKey(request);
  const result = await baton.cancel(ref, {
    identity,
    ...(reason ? { reason } : {}),
    ...(key
      ? {
          dedupeKey: `http:${key}`,
          requestHash: idempotencyHash({
            method: 'POST',
            route: `${sessionPath(ref)}/cancel`,
            tenant: ref.tenant,
            body: { reason },
          }),
        }
      : {}),
  });
  if (!result.cancelled) return json(200, { cancelled: false, status: result.status });
  const poll = sessionPath(ref);
  return json(202, {
    cancelled: true,
    duplicate: result.duplicate,
    cancelSeq: result.seq,
    poll,
    events: `${poll}/events?after=${result.seq}`,
  });
}

function idempotencyKey(request: HttpRequest): string | undefined {
  const key = request.headers['idempotency-key'];
  if (key !== undefined && (key.length === 0 || key.length > 256)) {
    throw new ValidationError('Idempotency-Key must be 1-256 characters', { field: 'Idempotency-Key' });
  }
  return key;
}

async function sessionWebhooks(baton: Baton, ref: SessionRef): Promise<JsonObject[]> {
  const head = await baton.store.readHead(ref);
  if (!head) throw new SessionNotFoundError(refKey(ref));
  return publicWebhooks(head.webhooks).map((webhook) => ({
    ...webhook,
    events: [...webhook.events],
    createdAt: new Date(webhook.createdAt).toISOString(),
  }));
}

function converseResponse(ref: SessionRef, result: ConverseResult): HttpResponse {
  const body: JsonObject = {
    state: result.state,
    reply: result.reply,
    ...(result.output !== undefined ? { output: result.output } : {}),
    inputSeq: result.submit.inputSeq,
    duplicate: result.submit.duplicate,
    session: result.session as unknown as JsonObject,
  };
  if (result.state === 'finished' || result.state === 'failed' || result.state === 'cancelled') {
    return json(200, body);
  }
  const poll = sessionPath(ref);
  return {
    ...json(202, { ...body, poll, events: `${poll}/events?after=${result.submit.inputSeq}` }),
    headers: { 'content-type': 'application/json', location: poll },
  };
}

function parseBody(request: HttpRequest, options: Pick<HttpRouteOptions, 'maxBodyBytes'>): JsonObject {
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const raw = request.body ?? '';
  const bytes = Buffer.byteLength(raw, 'utf8');
  if (bytes > limit) throw new PayloadTooLargeError(bytes, limit);
  const type = request.headers['content-type'];
  if (type === undefined || !/^application\/(.+\+)?json\b/i.test(type)) {
    throw new BatonError('unsupported_media_type', 'send the body as application/json', { status: 415 });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new BatonError('invalid_json', 'the body is not valid JSON', { status: 400 });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ValidationError('the body must be a JSON object');
  }
  return parsed as JsonObject;
}

function intParam(query: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const raw = query.get(name);
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(`${name} must be an integer from ${min} to ${max}`, { field: name });
  }
  return value;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ValidationError('the path is not valid percent-encoding');
  }
}

function sessionPath(ref: SessionRef): string {
  return `/sessions/${encodeURIComponent(ref.sessionId)}`;
}

function notFound(path: string): BatonError {
  return new BatonError('not_found', `no route for ${path}`, { status: 404 });
}

function methodNotAllowed(method: string, allowed: string[]): BatonError {
  return new BatonError('method_not_allowed', `${method} is not allowed here; use ${allowed.join(' or ')}`, {
    status: 405,
  });
}

function json(status: number, body: JsonObject): HttpResponse {
  return { status, headers: { 'content-type': 'application/json' }, body };
}
