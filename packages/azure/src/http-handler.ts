import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { BatonApp } from '@baton/core';
import { HTTP_RESPONSE_LIMIT_MS, invocationDeadline } from './time-budget.js';

export type AzureHttpHandler = (
  request: HttpRequest,
  context: InvocationContext,
) => Promise<HttpResponseInit>;

export interface HttpHandlerOptions {
  /** host.json functionTimeout in ms; capped at Azure's 230 s HTTP limit. */
  timeoutMs: number;
  marginMs?: number;
  /** host.json `extensions.http.routePrefix` ('api' by default, '' for none): stripped from the path. */
  routePrefix?: string;
  /** For deployments that authenticate callers: the tenant of this caller (replaces the tenant header). */
  tenant?: (request: HttpRequest) => string;
}

/**
 * The HTTP trigger: the Azure request as a Web `Request` relative to the app root, through
 * `app.fetch`, and its `Response` back. Register it on a catch-all route (`{*path}`).
 *
 * @example
 * app.http('baton', { route: '{*path}', handler: createHttpHandler(batonApp, { timeoutMs: 600_000 }) });
 */
export function createHttpHandler(app: BatonApp, options: HttpHandlerOptions): AzureHttpHandler {
  const prefix = `/${(options.routePrefix ?? 'api').replace(/^\/+|\/+$/g, '')}`;
  const budgetMs = Math.min(options.timeoutMs, HTTP_RESPONSE_LIMIT_MS);
  return async (request) => {
    const startedAt = app.baton.clock.now();
    const url = new URL(request.url);
    url.pathname = stripPrefix(url.pathname, prefix);
    const method = request.method.toUpperCase();
    // Bytes, not text: a signature (Slack's) covers the body exactly as sent.
    const body = method === 'GET' || method === 'HEAD' ? undefined : await request.arrayBuffer();
    const response = await app.fetch(
      new Request(url, { method, headers: request.headers, ...(body?.byteLength ? { body } : {}) }),
      {
        // No waitMs: an invocation ends with its response, so the run must stop at the deadline instead.
        deadline: invocationDeadline(startedAt, budgetMs, options.marginMs),
        ...(options.tenant ? { tenant: options.tenant(request) } : {}),
      },
    );
    return {
      status: response.status,
      headers: Object.fromEntries(response.headers),
      body: new Uint8Array(await response.arrayBuffer()),
    };
  };
}

/** Keeps the path percent-encoded (core decodes each segment), so an id holding "/" stays one segment. */
function stripPrefix(path: string, prefix: string): string {
  if (prefix === '/') return path;
  if (path === prefix) return '/';
  return path.startsWith(`${prefix}/`) ? path.slice(prefix.length) : path;
}
