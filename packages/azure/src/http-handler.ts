import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { type Baton, type HttpRequest as BatonHttpRequest, handleHttp } from '@baton/core';
import { handleSlackHttp, type SlackChannel, slackRoute } from '@baton/slack';
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
  maxBodyBytes?: number;
  /** For deployments that authenticate callers: the tenant of this caller (replaces the tenant header). */
  tenant?: (request: HttpRequest) => string;
  /** Serves Slack's POSTs to `slack/events`, `slack/interactivity`, `slack/commands` and `slack`. */
  slack?: SlackChannel;
}

/**
 * The HTTP trigger: Azure request -> core's route table (or, for Slack's URLs, the Slack channel,
 * which records and enqueues without running the agent) -> Azure response. Register it on a
 * catch-all route (`{*path}`) so every Baton route reaches it.
 *
 * @example
 * app.http('baton', { route: '{*path}', methods: ['GET', 'POST', 'DELETE'], handler: createHttpHandler(baton, { timeoutMs: 600_000 }) });
 */
export function createHttpHandler(baton: Baton, options: HttpHandlerOptions): AzureHttpHandler {
  const prefix = `/${(options.routePrefix ?? 'api').replace(/^\/+|\/+$/g, '')}`;
  const budgetMs = Math.min(options.timeoutMs, HTTP_RESPONSE_LIMIT_MS);
  return async (request) => {
    const startedAt = baton.clock.now();
    const path = stripPrefix(new URL(request.url).pathname, prefix);
    const headers = lowerCaseHeaders(request);
    const slackRequest = options.slack ? slackRoute(request.method.toUpperCase(), path) : null;
    if (options.slack && slackRequest) {
      // The signature covers the bytes as sent: read them as bytes, before anything parses them.
      const rawBody = new Uint8Array(await request.arrayBuffer());
      const answer = await handleSlackHttp(options.slack, { ...slackRequest, headers, rawBody });
      return { status: answer.status, headers: answer.headers, body: answer.body };
    }
    // The body can be read once; the raw text goes to the core, which parses and limits it.
    const body = await request.text();
    // No waitMs: an invocation ends with its response, so the run must stop at the deadline instead.
    const response = await handleHttp(baton, toBatonRequest(request, path, headers, body), {
      deadline: invocationDeadline(startedAt, budgetMs, options.marginMs),
      ...(options.tenant ? { tenant: options.tenant(request) } : {}),
      ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {}),
    });
    return { status: response.status, headers: response.headers, jsonBody: response.body };
  };
}

function toBatonRequest(
  request: HttpRequest,
  path: string,
  headers: Record<string, string>,
  body: string,
): BatonHttpRequest {
  return {
    method: request.method,
    path,
    query: request.query,
    headers,
    body: body === '' ? undefined : body,
  };
}

function lowerCaseHeaders(request: HttpRequest): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of request.headers) headers[name.toLowerCase()] = value;
  return headers;
}

/** Keeps the path percent-encoded (core decodes each segment), so an id holding "/" stays one segment. */
function stripPrefix(path: string, prefix: string): string {
  if (prefix === '/') return path;
  if (path === prefix) return '/';
  return path.startsWith(`${prefix}/`) ? path.slice(prefix.length) : path;
}
