import type { IncomingMessage } from 'node:http';
import type { ConsoleHandler } from './console/index.js';
import { isConsolePath } from './console/index.js';
import type { RawResponse } from './http-server.js';

/**
 * Mounts the console on the local server through its `extraRoutes` hook: node:http request in,
 * ConsoleRequest to the handler, its answer (a page or a live stream) back out. Other paths fall
 * through to the HTTP API.
 */
export function consoleRoutes(
  handler: ConsoleHandler,
  basePath = '/console',
): (request: IncomingMessage, body: string, url: URL, closed: AbortSignal) => Promise<RawResponse | null> {
  return async (request, body, url, closed) => {
    if (!isConsolePath(url.pathname, basePath)) return null;
    const headers: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
    }
    const response = await handler({
      method: request.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers,
      body,
      signal: closed,
    });
    if ('stream' in response) return response;
    return { status: response.status, headers: response.headers, raw: response.body };
  };
}
