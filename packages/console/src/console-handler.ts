import {
  DEFAULT_PRICES,
  isBatonError,
  type Logger,
  type PriceTable,
  type SessionEvent,
  type SessionStatus,
  type SessionStore,
  ValidationError,
} from '@baton/core';
import { assetResponse } from './console-assets.js';
import { consoleSession, consoleTenant, loginPage } from './console-auth.js';
import { isConsolePath } from './console-routes.js';
import type { ConsoleSignIn } from './console-session.js';
import type { ConsoleHandler, ConsoleRequest, ConsoleResponse } from './console-types.js';

export { isConsolePath };

import { costPage } from './cost-page.js';
import { tenantCost } from './cost-report.js';
import { html } from './html.js';
import { ConsolePaths, page, SECURITY_HEADERS } from './layout.js';
import { listPage, STATUSES } from './list-page.js';
import { DEFAULT_PAGE_SIZE, readLog } from './read-log.js';
import { forbidden, htmlResponse, methodNotAllowed } from './responses.js';
import { SessionDigest } from './session-digest.js';
import { sessionPage } from './session-page.js';
import { sessionStream } from './session-stream.js';
import { signInRoute } from './sign-in.js';

export interface ConsoleOptions {
  store: SessionStore;
  /**
   * Signs browsers in with an API key (a session cookie the host's auth mode reads). Without it
   * there is no sign-in: the pages rely on the identity the host resolves (the local one, a bearer).
   */
  signIn?: ConsoleSignIn;
  /** Where the console is mounted. Default '/console'. */
  basePath?: string;
  /** Prefix of the HTTP API that the Approve / Reject buttons post to. Default: `prefix`. */
  apiBase?: string;
  /** What the host strips from the path before the app sees it (Azure's `/api`); links keep it. Default ''. */
  prefix?: string;
  prices?: PriceTable;
  /** Live streams read the head this often. Default 500 ms. */
  pollMs?: number;
  /** A live stream ends after this long and the browser reconnects. Default 5 minutes; 0 for hosts that buffer responses. */
  streamMaxMs?: number;
  heartbeatMs?: number;
  /** How long the browser waits before it reconnects a stream that ended. Default 1 s. */
  streamRetryMs?: number;
  /** Events per store read. */
  pageSize?: number;
  /** Events a session page shows (the latest ones; earlier ones are a link away). Default 500. */
  windowSize?: number;
  logger?: Logger;
}

/**
 * The web console as one request handler: session list, session page with conversation and
 * timeline, live updates over Server-Sent Events, tenant cost. Cloud-neutral: it needs a store and
 * nothing of the host; the Approve / Reject buttons use the HTTP API's approval route. The host
 * checks access first (see `consoleRoute`) and passes the caller's identity: the pages show that
 * identity's tenant only (every tenant for the local identity).
 *
 * @example
 * const console = createConsoleHandler({ store });
 * const identity: Identity = { tenant: 'acme', user: 'key:abc', scopes: ['read'], via: 'api_key' };
 * const response = await console({ method: 'GET', path: '/console', query: new URLSearchParams(), headers: {}, identity });
 */
export function createConsoleHandler(options: ConsoleOptions): ConsoleHandler {
  const prefix = options.prefix ?? '';
  const paths = new ConsolePaths(options.basePath ?? '/console', options.apiBase ?? prefix, prefix);
  const streams = new Map<AbortController, AsyncGenerator<string>>();
  const handler = async (request: ConsoleRequest): Promise<ConsoleResponse> => {
    try {
      return await route(options, paths, streams, request);
    } catch (error) {
      const status = isBatonError(error) && error.status >= 400 && error.status < 500 ? error.status : 500;
      if (status === 500) options.logger?.error('console request failed', { error, path: request.path });
      const message =
        status === 500 ? 'Something went wrong; the server log has the details.' : (error as Error).message;
      return htmlResponse(
        status,
        page(paths, 'Error', html`<h1>Error ${status}</h1><p class="error-page">${message}</p>`),
      );
    }
  };
  return Object.assign(handler, {
    async close() {
      const open = [...streams];
      for (const [controller] of open) controller.abort();
      // return() also ends a stream whose consumer stopped reading (suspended at a yield).
      await Promise.all(open.map(([, generator]) => generator.return(undefined)));
    },
  });
}

async function route(
  options: ConsoleOptions,
  paths: ConsolePaths,
  streams: Map<AbortController, AsyncGenerator<string>>,
  request: ConsoleRequest,
): Promise<ConsoleResponse> {
  if (!isConsolePath(request.path, paths.base)) return htmlResponse(404, notFound(paths));
  const segments = request.path
    .slice(paths.base.length)
    .split('/')
    .filter((segment) => segment !== '')
    .map(decodeSegment);
  const method = request.method.toUpperCase();
  const [first, second, third] = segments;
  if (first === 'assets' && segments.length === 2 && method === 'GET') return assetResponse(second);
  if (first === 'login' && segments.length === 1)
    return signInRoute(options.signIn, paths, request, options.logger);
  const identity = request.identity;
  if (!identity) return htmlResponse(401, loginPage(paths, options.signIn ? 'form' : 'no-sign-in'));
  if (method !== 'GET') return methodNotAllowed(paths, 'GET');
  if (segments.length === 0) {
    const tenant = consoleTenant(identity, request.query.get('tenant') ?? '');
    if (typeof tenant !== 'string') return forbidden(paths, tenant.refused);
    return listSessions(options, paths, tenant, request.query);
  }
  if (first === 'cost' && segments.length === 1) {
    const tenant = consoleTenant(identity, request.query.get('tenant') || identity.tenant);
    if (typeof tenant !== 'string') return forbidden(paths, tenant.refused);
    const report = await tenantCost(options.store, tenant || 'default', options.prices ?? DEFAULT_PRICES);
    return htmlResponse(200, costPage(paths, report));
  }
  if (first === 'sessions' && second !== undefined) {
    const ref = consoleSession(identity, request.query.get('tenant') ?? '', second);
    if ('refused' in ref) return forbidden(paths, ref.refused);
    if (segments.length === 2) return showSession(options, paths, ref, request.query);
    if (third === 'stream' && segments.length === 3) {
      const after = request.headers['last-event-id'] ?? request.query.get('after') ?? '0';
      const afterSeq = Number(after);
      if (!Number.isInteger(afterSeq) || afterSeq < 0) {
        throw new ValidationError('after must be a non-negative integer', { field: 'after' });
      }
      return stream(options, paths, streams, ref, afterSeq, request.signal);
    }
  }
  return htmlResponse(404, notFound(paths));
}

async function listSessions(
  options: ConsoleOptions,
  paths: ConsolePaths,
  tenant: string,
  query: URLSearchParams,
): Promise<ConsoleResponse> {
  const status = query.get('status') || undefined;
  if (status !== undefined && !STATUSES.includes(status as SessionStatus)) {
    throw new ValidationError(`status must be one of ${STATUSES.join(', ')}`, { field: 'status' });
  }
  const limit = Number(query.get('limit') || '50');
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
    throw new ValidationError('limit must be an integer from 1 to 500', { field: 'limit' });
  }
  const cursor = query.get('cursor') || undefined;
  const result = await options.store.list({
    ...(tenant ? { tenant } : {}),
    ...(status ? { status: status as SessionStatus } : {}),
    limit,
    ...(cursor ? { cursor } : {}),
  });
  return htmlResponse(
    200,
    listPage(paths, { tenant, status: status as SessionStatus | undefined, limit, cursor }, result),
  );
}

async function showSession(
  options: ConsoleOptions,
  paths: ConsolePaths,
  ref: { tenant: string; sessionId: string },
  query: URLSearchParams,
): Promise<ConsoleResponse> {
  const head = await options.store.readHead(ref);
  if (!head) {
    return htmlResponse(
      404,
      page(
        paths,
        'Not found',
        html`<h1>No session ${ref.sessionId}</h1><p>Tenant ${ref.tenant} has no session with this id. <a href="${paths.list()}">All sessions</a></p>`,
      ),
    );
  }
  const windowSize = options.windowSize ?? 500;
  const requested = Number(query.get('from') ?? Number.NaN);
  const fromSeq =
    Number.isInteger(requested) && requested >= 1 ? requested : Math.max(1, head.seq - windowSize + 1);
  const digest = new SessionDigest(options.prices ?? DEFAULT_PRICES);
  const shown: SessionEvent[] = [];
  for await (const events of readLog(options.store, ref, {
    throughSeq: head.seq,
    pageSize: options.pageSize ?? DEFAULT_PAGE_SIZE,
  })) {
    digest.add(events);
    for (const event of events) if (event.seq >= fromSeq && shown.length < windowSize) shown.push(event);
  }
  return htmlResponse(200, sessionPage(paths, { head, digest, events: shown, fromSeq }));
}

function stream(
  options: ConsoleOptions,
  paths: ConsolePaths,
  streams: Map<AbortController, AsyncGenerator<string>>,
  ref: { tenant: string; sessionId: string },
  afterSeq: number,
  signal: AbortSignal | undefined,
): ConsoleResponse {
  const controller = new AbortController();
  signal?.addEventListener('abort', () => controller.abort(), { once: true });

  const events = sessionStream(options.store, ref, afterSeq, paths, {
    pollMs: options.pollMs ?? 500,
    maxMs: options.streamMaxMs ?? 5 * 60_000,
    heartbeatMs: options.heartbeatMs ?? 15_000,
    ...(options.streamRetryMs !== undefined ? { retryMs: options.streamRetryMs } : {}),
    prices: options.prices ?? DEFAULT_PRICES,
    pageSize: options.pageSize ?? DEFAULT_PAGE_SIZE,
    signal: controller.signal,
    logger: options.logger,
  });
  async function* tracked(): AsyncGenerator<string> {
    try {
      yield* events;
    } finally {
      streams.delete(controller);
    }
  }
  const generator = tracked();
  streams.set(controller, generator);
  return {
    status: 200,
    headers: {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-store',
      // Proxies that buffer (nginx) would hold the events back.
      'x-accel-buffering': 'no',
    },
    stream: generator,
  };
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ValidationError('the path is not valid percent-encoding');
  }
}

function notFound(paths: ConsolePaths): string {
  return page(paths, 'Not found', html`<h1>Not found</h1><p><a href="${paths.list()}">All sessions</a></p>`);
}
