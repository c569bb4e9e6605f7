import type { Identity, Route } from '@baton/core';
import { consoleSpecs, isConsolePath } from './console-routes.js';
import type { ConsoleHandler, ConsoleResponse } from './console-types.js';

/**
 * Mounts the console as a host route of the app: the app matches a request against the console's
 * specs and checks access first, then the request goes to the handler as a ConsoleRequest with the
 * caller's identity, and its answer (a page, or a live stream of Server-Sent Events) comes back as
 * a Web Response.
 *
 * @example
 * const app = createBatonApp(definition, { store, queue, routes: [consoleRoute(createConsoleHandler({ store }))] });
 */
export function consoleRoute(
  handler: ConsoleHandler,
  basePath = '/console',
  options: { secure?: boolean } = {},
): Route {
  return {
    specs: consoleSpecs(basePath),
    fetch: (request, identity) => forward(handler, basePath, request, identity, options.secure),
  };
}

async function forward(
  handler: ConsoleHandler,
  basePath: string,
  request: Request,
  identity: Identity | null,
  secure: boolean | undefined,
): Promise<Response | null> {
  const url = new URL(request.url);
  if (!isConsolePath(url.pathname, basePath)) return null;
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    headers[name.toLowerCase()] = value;
  });
  const method = request.method.toUpperCase();
  const answer = await handler({
    method,
    path: url.pathname,
    query: url.searchParams,
    headers,
    body: method === 'GET' || method === 'HEAD' ? undefined : await request.text(),
    signal: request.signal,
    identity,
    // A cloud host serves HTTPS only, whatever URL its adapter built: its cookie is always Secure.
    secure: secure ?? url.protocol === 'https:',
  });
  return webResponse(answer);
}

/**
 * A console answer as a Web Response; a live stream becomes a body read chunk by chunk.
 *
 * @example
 * const response = webResponse(await handler(consoleRequest));
 */
export function webResponse(answer: ConsoleResponse): Response {
  if ('body' in answer) return new Response(answer.body, { status: answer.status, headers: answer.headers });
  const chunks = answer.stream[Symbol.asyncIterator]();
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const next = await chunks.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      },
      // The reader went away (the client disconnected): end the stream's generator.
      async cancel() {
        await chunks.return?.();
      },
    },
    { highWaterMark: 0 },
  );
  return new Response(body, { status: answer.status, headers: answer.headers });
}

/**
 * A browser (it asks for HTML) that opens a console page without a valid session gets the sign-in
 * form instead of the app's JSON 401; every other answer passes unchanged. `prefix`: what the host
 * stripped from the path (Azure's `/api`), which the browser's Location must keep.
 *
 * @example
 * const response = signInRedirect(request, await app.fetch(request));
 */
export function signInRedirect(
  request: Request,
  response: Response,
  basePath = '/console',
  prefix = '',
): Response {
  if (response.status !== 401 || request.method !== 'GET') return response;
  if (!(request.headers.get('accept') ?? '').includes('text/html')) return response;
  const { pathname } = new URL(request.url);
  if (!isConsolePath(pathname, basePath) || pathname === `${basePath}/login`) return response;
  return new Response(null, {
    status: 303,
    headers: { location: `${prefix}${basePath}/login`, 'cache-control': 'no-store' },
  });
}
