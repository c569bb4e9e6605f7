import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import azureFunctions from '@azure/functions';
import type { AzureHttpHandler } from './http-handler.js';
import { hostResponse } from './http-stream-host.js';
import { invocationContext } from './test-fixtures.js';

// @azure/functions is CommonJS: the classes come through the default import under Node's ESM loader.
const { HttpRequest } = azureFunctions;

/** The function app as a client sees it: its URL (with the `/api` route prefix) and the requests it took. */
export interface AzureHttpServer {
  /** `http://127.0.0.1:<port>/api`, where `https://<app>.azurewebsites.net/api` would be. */
  apiUrl: string;
  /** `METHOD /path` of every invocation, in order. */
  invocations: string[];
  /** How many body chunks went out per invocation (an event stream: one per chunk the app wrote). */
  chunks: number[];
  close(): Promise<void>;
}

/**
 * Serves an HTTP trigger over real HTTP on 127.0.0.1 the way the Functions host does with
 * `enableHttpStream`: each request becomes an `HttpRequest` for `https://<app>.azurewebsites.net`
 * (the host's view), the handler's result goes out through `hostResponse`, an event stream chunk
 * by chunk as the handler's stream yields it. Any HTTP client (the `openai` SDK) can call it.
 *
 * @example
 * const server = await serveAzureHandler(createHttpHandler(app, { timeoutMs: 230_000 }));
 * new OpenAI({ baseURL: `${server.apiUrl}/v1`, apiKey });
 */
export async function serveAzureHandler(
  handler: AzureHttpHandler,
  options: { afterInvocation?: () => Promise<void> } = {},
): Promise<AzureHttpServer> {
  const invocations: string[] = [];
  const chunks: number[] = [];
  const host = 'baton-func.azurewebsites.net';
  const serve = async (request: IncomingMessage, response: ServerResponse) => {
    const received: Buffer[] = [];
    for await (const chunk of request) received.push(chunk as Buffer);
    const body = Buffer.concat(received);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (name === 'host' || name === 'connection' || value === undefined) continue;
      headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const method = request.method ?? 'GET';
    invocations.push(`${method} ${new URL(request.url ?? '/', 'http://x').pathname}`);
    const result = await handler(
      new HttpRequest({
        method,
        url: `https://${host}${request.url ?? '/'}`,
        headers: { ...headers, host, 'x-forwarded-proto': 'https' },
        ...(body.byteLength > 0 ? { body: { string: body.toString('utf8') } } : {}),
      }),
      invocationContext(),
    );
    const answer = hostResponse(result);
    response.writeHead(answer.status, Object.fromEntries(answer.headers));
    response.flushHeaders();
    let written = 0;
    for await (const chunk of answer.chunks) {
      if (response.destroyed) break;
      written++;
      response.write(chunk);
    }
    chunks.push(written);
    response.end();
    await options.afterInvocation?.();
  };
  const server = createServer((request, response) => {
    serve(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(502, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { code: 'harness', message: String(error) } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`,
    invocations,
    chunks,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
