import type { Baton } from '../baton.js';
import { DEFAULT_MAX_BODY_BYTES, type HttpResponse, handleHttp } from '../http-routes.js';
import type { Channel, Route } from './channel.js';

export interface FetchOptions {
  /** Epoch ms by which a run this request starts must return. Default: the app's request budget. */
  deadline?: number;
  /** Answer a message request after this long even if its run goes on (hosts that keep running only). */
  waitMs?: number;
  /** The caller's tenant, when the host authenticated it (replaces the tenant header). */
  tenant?: string;
}

export interface FetchTarget {
  baton: Baton;
  channels: readonly Channel[];
  routes: readonly Route[];
  requestBudgetMs: number;
  maxBodyBytes: number;
}

/**
 * One Web-standard request to the app: the host's routes (the console), then each channel's
 * (Slack's URLs), then the HTTP API. The request's URL path is relative to the app's root: hosts
 * strip their stage or route prefix first.
 */
export async function appFetch(
  target: FetchTarget,
  request: Request,
  options: FetchOptions = {},
): Promise<Response> {
  const deadline = options.deadline ?? target.baton.clock.now() + target.requestBudgetMs;
  for (const route of target.routes) {
    const response = await route(request);
    if (response) return response;
  }
  for (const channel of target.channels) {
    const response = await channel.fetch?.(request, { deadline });
    if (response) return response;
  }
  const url = new URL(request.url);
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > target.maxBodyBytes) {
    return jsonResponse({
      status: 413,
      headers: { 'content-type': 'application/json', connection: 'close' },
      body: {
        error: {
          code: 'payload_too_large',
          message: `the body exceeds ${target.maxBodyBytes} bytes`,
          retryable: false,
        },
      },
    });
  }
  const method = request.method.toUpperCase();
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    headers[name.toLowerCase()] = value;
  });
  const body = method === 'GET' || method === 'HEAD' ? undefined : await request.text();
  const response = await handleHttp(
    target.baton,
    { method, path: url.pathname, query: url.searchParams, headers, body: body === '' ? undefined : body },
    {
      deadline,
      maxBodyBytes: target.maxBodyBytes,
      ...(options.waitMs !== undefined ? { waitMs: options.waitMs } : {}),
      ...(options.tenant !== undefined ? { tenant: options.tenant } : {}),
    },
  );
  return jsonResponse(response);
}

function jsonResponse(response: HttpResponse): Response {
  return new Response(`${JSON.stringify(response.body, null, 2)}\n`, {
    status: response.status,
    headers: response.headers,
  });
}

export { DEFAULT_MAX_BODY_BYTES };
