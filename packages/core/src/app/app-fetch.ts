import { checkAccess } from '../auth/access.js';
import { type Authenticator, authenticate } from '../auth/authenticator.js';
import { type BrowserSafety, checkBrowserSafety } from '../auth/browser-safety.js';
import type { AuthContext, Identity } from '../auth/identity.js';
import type { RouteSpec } from '../auth/route-spec.js';
import { checkRouteTable, matchRoute, unmatchedError } from '../auth/route-table.js';
import type { Baton } from '../baton.js';
import { BatonError, isBatonError } from '../errors.js';
import {
  API_ROUTES,
  DEFAULT_MAX_BODY_BYTES,
  type HttpRequest,
  type HttpResponse,
  handleHttp,
} from '../http-routes.js';
import type { JsonObject } from '../json.js';
import { type StreamRouteOptions, streamRoute } from '../live/stream-routes.js';
import type { Environment } from '../models/model-provider.js';
import { openAiErrorResponse } from '../openai-api/openai-errors.js';
import type { Channel, Route } from './channel.js';

export interface FetchOptions {
  /** Epoch ms by which a run this request starts must return. Default: the app's request budget. */
  deadline?: number;
  /** Answer a message request after this long even if its run goes on (hosts that keep running only). */
  waitMs?: number;
  /**
   * The tenant a host resolved itself. Used only by the local and 'none' identities; an identity an
   * auth mode established keeps its own tenant.
   */
  tenant?: string;
  /**
   * Claims the platform verified before the request arrived (API Gateway's JWT authorizer, App
   * Service authentication), for `platformAuth()`. Never from a request header.
   */
  platformClaims?: Record<string, unknown>;
}

/** One row of the app's table: a route and who serves it. */
export type RouteEntry = { spec: RouteSpec } & (
  | { kind: 'api' }
  | { kind: 'channel'; channel: Channel }
  | { kind: 'host'; route: Route }
);

export interface FetchTarget {
  baton: Baton;
  channels: readonly Channel[];
  table: readonly RouteEntry[];
  auth: Authenticator;
  safety: BrowserSafety;
  env: Environment;
  requestBudgetMs: number;
  maxBodyBytes: number;
  /** Read intervals and limits of streamed answers (live/); tests shorten them. */
  stream?: StreamRouteOptions['stream'];
}

/**
 * The whole table, in the order requests are matched: the host's routes (the console), each
 * channel's, then the API's. Refuses a table with a route claimed twice.
 */
export function routeTable(hostRoutes: readonly Route[], channels: readonly Channel[]): RouteEntry[] {
  const table: RouteEntry[] = [
    ...hostRoutes.flatMap((route) => route.specs.map((spec) => ({ spec, kind: 'host' as const, route }))),
    ...channels.flatMap((channel) =>
      channel.routes.map((spec) => ({ spec, kind: 'channel' as const, channel })),
    ),
    ...API_ROUTES.map((spec) => ({ spec, kind: 'api' as const })),
  ];
  checkRouteTable(table.map((entry) => entry.spec));
  return table;
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const JSON_TYPE = /^application\/(.+\+)?json\b/i;

/**
 * One Web-standard request to the app. Before anything runs: browser safety (Host, Origin), the
 * route table (404/405), the body (size, JSON only, UTF-8) and the caller's identity and scope; a
 * request refused there changes nothing. Then the route's owner answers it: a host route, a
 * channel, or the HTTP API. The URL path is relative to the app's root: hosts strip their prefix.
 */
export async function appFetch(
  target: FetchTarget,
  request: Request,
  options: FetchOptions = {},
): Promise<Response> {
  try {
    return await serve(target, request, options);
  } catch (error) {
    // Refused before a route ran (auth, size, no such route): OpenAI's error shape under /v1/.
    if (new URL(request.url).pathname.startsWith('/v1/')) return openAiErrorResponse(target.baton, error);
    return errorResponse(target, request, error);
  }
}

async function serve(target: FetchTarget, request: Request, options: FetchOptions): Promise<Response> {
  const { baton } = target;
  const deadline = options.deadline ?? baton.clock.now() + target.requestBudgetMs;
  const url = new URL(request.url);
  const method = request.method.toUpperCase();
  checkBrowserSafety(request, target.safety);
  const match = matchRoute(target.table, method, url.pathname);
  if (match.kind !== 'found') throw unmatchedError(match, method, url.pathname);
  const entry = match.entry;
  const access = entry.spec.access;
  const body = await readBody(request, target.maxBodyBytes);
  const forward = body.byteLength > 0 ? new Request(request, { body }) : request;
  let identity: Identity | null = null;
  if (access !== 'public' && access !== 'signed') {
    const context: AuthContext = {
      store: baton.store,
      clock: baton.clock,
      env: target.env,
      logger: baton.logger,
      ...(options.platformClaims ? { platformClaims: options.platformClaims } : {}),
    };
    identity = await authenticate(target.auth, forward, context, options.tenant);
    checkAccess(identity, access, request.headers.get('x-baton-tenant'));
  }
  let text: string | undefined;
  if (access !== 'signed' && body.byteLength > 0) {
    const type = request.headers.get('content-type');
    if (identity && MUTATING.has(method) && (type === null || !JSON_TYPE.test(type))) {
      throw new BatonError('unsupported_media_type', 'send the body as application/json', { status: 415 });
    }
    text = decodeUtf8(body);
  }
  if (entry.kind === 'host') return (await entry.route.fetch(forward, identity)) ?? notServed(url);
  if (entry.kind === 'channel') return (await entry.channel.fetch?.(forward, { deadline })) ?? notServed(url);
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    headers[name.toLowerCase()] = value;
  });
  const apiRequest: HttpRequest = {
    method: method === 'HEAD' ? 'GET' : method,
    path: url.pathname,
    query: url.searchParams,
    headers,
    body: text,
  };
  // The OpenAI-compatible front door (openai-api/): /v1/responses, /v1/chat/completions, /v1/models.
  // Its code (request parsing, response shapes, their zod schemas) loads on the first /v1 request:
  // a cold start that serves /sessions never compiles it.
  if (isOpenAiPath(url.pathname)) {
    const { openAiRoute } = await openAiApi();
    const answered = await openAiRoute(baton, apiRequest, {
      identity,
      deadline,
      maxBodyBytes: target.maxBodyBytes,
      signal: request.signal,
      ...(options.waitMs !== undefined ? { waitMs: options.waitMs } : {}),
      ...(target.stream ? { stream: target.stream } : {}),
    });
    if (answered) return answered;
  }
  if (method !== 'HEAD') {
    // Server-sent event answers (live/): the session's stream, a message answered as it is written.
    const streamed = await streamRoute(baton, apiRequest, {
      identity,
      deadline,
      maxBodyBytes: target.maxBodyBytes,
      signal: request.signal,
      ...(target.stream ? { stream: target.stream } : {}),
    });
    if (streamed) return streamed;
  }
  const response = await handleHttp(baton, apiRequest, {
    deadline,
    maxBodyBytes: target.maxBodyBytes,
    ...(options.waitMs !== undefined ? { waitMs: options.waitMs } : {}),
    ...(identity ? { identity } : {}),
  });
  return jsonResponse(response);
}

/** The first segment is `v1`, as openAiRoute reads a path: the only requests it may answer. */
function isOpenAiPath(path: string): boolean {
  return path.split('/').find((segment) => segment !== '') === 'v1';
}

let openAiModule: Promise<typeof import('../openai-api/openai-route.js')> | undefined;

/** openai-api/ imported once, on the first request under /v1. */
function openAiApi(): Promise<typeof import('../openai-api/openai-route.js')> {
  openAiModule ??= import('../openai-api/openai-route.js');
  return openAiModule;
}

/** The body's bytes, refused past the limit whether the host declared its length or not. */
async function readBody(request: Request, limit: number): Promise<Uint8Array> {
  const method = request.method.toUpperCase();
  if (method === 'GET' || method === 'HEAD' || request.body === null) return new Uint8Array();
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > limit) throw tooLarge(limit);
  const bytes = new Uint8Array(await request.arrayBuffer());
  if (bytes.byteLength > limit) throw tooLarge(limit);
  return bytes;
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new BatonError('invalid_encoding', 'the body is not valid UTF-8', { status: 400 });
  }
}

function tooLarge(limit: number): BatonError {
  return new BatonError('payload_too_large', `the body exceeds ${limit} bytes`, { status: 413 });
}

/** A route in the table whose owner did not answer: the same 404 as a route that does not exist. */
function notServed(url: URL): Response {
  const error = new BatonError('not_found', `no route for ${url.pathname}`, { status: 404 });
  const body = error.toJSON() as unknown as JsonObject;
  return jsonResponse({ status: 404, headers: { 'content-type': 'application/json' }, body });
}

function errorResponse(target: FetchTarget, request: Request, error: unknown): Response {
  if (!isBatonError(error)) {
    target.baton.logger.error('unhandled error in app.fetch', { error, method: request.method });
    const body = { error: { code: 'internal', message: 'internal error', retryable: true } };
    return jsonResponse({ status: 500, headers: { 'content-type': 'application/json' }, body });
  }
  const status = error.status >= 400 ? error.status : 500;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (status === 401) headers['www-authenticate'] = 'Bearer';
  if (status === 413) headers.connection = 'close';
  const allowed = error.details?.allowed;
  if (status === 405 && Array.isArray(allowed)) headers.allow = allowed.join(', ');
  if (status === 401 || status === 403) {
    target.baton.logger.info('request refused', { code: error.code, method: request.method });
  }
  return jsonResponse({ status, headers, body: error.toJSON() as unknown as JsonObject });
}

function jsonResponse(response: HttpResponse): Response {
  return new Response(`${JSON.stringify(response.body, null, 2)}\n`, {
    status: response.status,
    headers: response.headers,
  });
}

export { DEFAULT_MAX_BODY_BYTES };
