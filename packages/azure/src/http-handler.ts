import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { HostedConsole } from '@baton/console/hosted';
import type { BatonApp } from '@baton/core';
import { CLIENT_PRINCIPAL_HEADERS, clientPrincipalClaims } from './client-principal.js';
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
  /**
   * App Service authentication is enabled (app setting BATON_APP_SERVICE_AUTH=true): the platform
   * validated the caller's token and wrote `x-ms-client-principal`, whose claims go to the app as
   * `platformClaims`. Otherwise the platform does not guard those headers, so they are dropped.
   */
  appServiceAuth?: boolean;
  /**
   * The web console's app (`AzureApp.console`): requests under /console, and requests carrying its
   * sign-in cookie (the pages' Approve / Reject calls), go to it; null means it is off.
   */
  console?: () => Promise<HostedConsole | null>;
}

/**
 * The HTTP trigger: the Azure request as a Web `Request` relative to the app root, through
 * `app.fetch`, and its `Response` back, an event stream chunk by chunk as the app writes it. Register it on a catch-all route (`{*path}`). Who the
 * caller is stays the app's decision; the handler passes on only what the platform verified.
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
    const headers = new Headers(request.headers);
    const platformClaims = options.appServiceAuth
      ? clientPrincipalClaims(headers.get('x-ms-client-principal'))
      : null;
    if (!options.appServiceAuth) for (const name of CLIENT_PRINCIPAL_HEADERS) headers.delete(name);
    const forwarded = new Request(url, { method, headers, ...(body?.byteLength ? { body } : {}) });
    const target = (isConsoleRequest(url.pathname, headers) && (await options.console?.())) || app;
    const response = await target.fetch(forwarded, {
      // No waitMs: an invocation ends with its response, so the run must stop at the deadline instead.
      deadline: invocationDeadline(startedAt, budgetMs, options.marginMs),
      ...(platformClaims ? { platformClaims } : {}),
    });
    return {
      status: response.status,
      headers: Object.fromEntries(response.headers),
      // An event stream goes out as the app writes it (registerBaton enables the host's HTTP
      // streams; without them the host reads it whole); other bodies are read whole here.
      body: isEventStream(response) ? response.body : new Uint8Array(await response.arrayBuffer()),
    };
  };
}

/** A Server-Sent Events body (`GET /sessions/{id}/stream`, the console's feed): never buffered. */
function isEventStream(response: Response): response is Response & { body: ReadableStream<Uint8Array> } {
  const type = response.headers.get('content-type') ?? '';
  return response.body !== null && /^text\/event-stream\b/i.test(type.trim());
}

/** Under /console, or carrying the console's cookie (`baton_console`, the name @baton/console sets). */
function isConsoleRequest(path: string, headers: Headers): boolean {
  if (path === '/console' || path.startsWith('/console/')) return true;
  return /(^|;\s*)baton_console=/.test(headers.get('cookie') ?? '');
}

/** Keeps the path percent-encoded (core decodes each segment), so an id holding "/" stays one segment. */
function stripPrefix(path: string, prefix: string): string {
  if (prefix === '/') return path;
  if (path === prefix) return '/';
  return path.startsWith(`${prefix}/`) ? path.slice(prefix.length) : path;
}
