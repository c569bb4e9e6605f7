import type { Route } from '@baton/core';
import { type ConsoleHandler, type ConsoleResponse, isConsolePath } from './console/index.js';

/**
 * Mounts the console as a host route of the app: a Web request under `basePath` goes to the
 * handler as a ConsoleRequest, and its answer (a page, or a live stream of Server-Sent Events)
 * comes back as a Web Response. Other paths return null and reach the app's own routes.
 *
 * @example
 * const app = createBatonApp(definition, { store, queue, routes: [consoleRoute(createConsoleHandler({ store, auth }))] });
 */
export function consoleRoute(handler: ConsoleHandler, basePath = '/console'): Route {
  return async (request) => {
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
    });
    return webResponse(answer);
  };
}

/** A console answer as a Web Response; a live stream becomes a body read chunk by chunk. */
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
