import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock } from '@baton/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { LambdaHandlers } from '../lambda-handlers.js';
import { httpEvent } from './fixtures.js';
import { lambdaContext } from './lambda-context.js';
import type { installStreamingRuntime } from './lambda-streaming-runtime.js';

/** What a deployed stack gives a client: the API's URL and the HttpStream Function URL. */
export interface LambdaHttpServer {
  /** API Gateway HTTP API in front of `handlers.http`: responses buffered, 29 s per request. */
  apiUrl: string;
  /** The Function URL in RESPONSE_STREAM mode in front of `handlers.stream`: bodies as written. */
  streamUrl: string;
  /** Events each side received, in order (`POST /v1/responses`), for counting invocations. */
  invocations: { api: string[]; stream: string[] };
  /** How many body chunks the Function URL passed on per invocation (one per write the handler made). */
  streamedChunks: number[];
  close(): Promise<void>;
}

export interface LambdaHttpServerOptions {
  /** The remaining time each invocation starts with (default: 30 s API, 300 s stream, as infra/aws.ts). */
  apiBudgetMs?: number;
  streamBudgetMs?: number;
  /** Runs after each invocation returned (the test's worker drain, say). */
  afterInvocation?: () => Promise<void>;
}

/**
 * Serves Lambda handlers over real HTTP on 127.0.0.1, so any HTTP client (the `openai` SDK) can talk
 * to them as to a deployed stack: each request becomes the payload 2.0 event API Gateway or the
 * Function URL would send (from the captured fixtures: headers, body as base64, the domain that
 * tells the two apart), and the result goes back as they would send it. The streaming side runs
 * `handlers.stream` under the runtime stand-in and pipes the body chunk by chunk.
 *
 * @example
 * const runtime = installStreamingRuntime();
 * const handlers = createLambdaHandlers(definition, { store, queue });
 * const server = await serveLambdaHandlers(handlers, runtime);
 * new OpenAI({ baseURL: `${server.streamUrl}/v1`, apiKey });
 */
export async function serveLambdaHandlers(
  handlers: Pick<LambdaHandlers, 'http' | 'stream'>,
  runtime: ReturnType<typeof installStreamingRuntime>,
  options: LambdaHttpServerOptions = {},
): Promise<LambdaHttpServer> {
  const invocations = { api: [] as string[], stream: [] as string[] };
  const streamedChunks: number[] = [];
  const api = await listen(async (request, response) => {
    const event = await toEvent('http-api-v2', request);
    invocations.api.push(`${event.requestContext.http.method} ${event.rawPath}`);
    const context = lambdaContext({ clock: systemClock, budgetMs: options.apiBudgetMs ?? 30_000 });
    const result = (await handlers.http(event, context)) as APIGatewayProxyStructuredResultV2;
    await options.afterInvocation?.();
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
    if (result.cookies?.length) headers['set-cookie'] = result.cookies;
    response.writeHead(result.statusCode ?? 200, headers);
    const body = result.body ?? '';
    response.end(result.isBase64Encoded ? Buffer.from(body, 'base64') : body);
  });
  const stream = await listen(async (request, response) => {
    if (!handlers.stream)
      throw new Error('handlers.stream is undefined: install the streaming runtime first');
    const event = await toEvent('function-url', request);
    invocations.stream.push(`${event.requestContext.http.method} ${event.rawPath}`);
    const context = lambdaContext({ clock: systemClock, budgetMs: options.streamBudgetMs ?? 300_000 });
    const invocation = runtime.invoke(handlers.stream, event, context);
    const answer = await invocation.response;
    const headers: Record<string, string | string[]> = { ...answer.headers };
    if (answer.cookies.length > 0) headers['set-cookie'] = answer.cookies;
    response.writeHead(answer.status, headers);
    response.flushHeaders();
    const reader = answer.body.getReader();
    let chunks = 0;
    // The client went away: cancelling the body ends the handler's pipe, as the runtime's does.
    response.on('close', () => void reader.cancel().catch(() => undefined));
    for (;;) {
      const chunk = await reader.read().catch(() => ({ done: true as const, value: undefined }));
      if (chunk.done) break;
      chunks++;
      response.write(chunk.value);
    }
    streamedChunks.push(chunks);
    response.end();
    await invocation.done.catch(() => undefined);
    await options.afterInvocation?.();
  });
  return {
    apiUrl: api.url,
    streamUrl: stream.url,
    invocations,
    streamedChunks,
    async close() {
      await Promise.all([api.close(), stream.close()]);
    },
  };
}

/**
 * The request as the event its fixture's source sends: method, raw path and query, the client's
 * headers (lower-case, the fixture's host), the body in base64 as Function URLs send it.
 */
async function toEvent(
  fixture: 'http-api-v2' | 'function-url',
  request: IncomingMessage,
): Promise<APIGatewayProxyEventV2> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  const event = httpEvent(fixture, {
    method: request.method ?? 'GET',
    path: url.pathname,
    query: url.search.slice(1),
    arrivedAt: Date.now(),
    body: undefined,
  });
  // Both send a JSON body as is or in base64; base64 keeps any byte as the client sent it.
  if (body.byteLength > 0) {
    event.body = body.toString('base64');
    event.isBase64Encoded = true;
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (name === 'host' || name === 'connection' || value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  event.headers = {
    ...headers,
    host: event.requestContext.domainName ?? 'localhost',
    'x-forwarded-proto': 'https',
  };
  if (body.byteLength > 0) event.headers['content-length'] = String(body.byteLength);
  delete event.cookies;
  event.requestContext.requestId = randomUUID();
  return event;
}

async function listen(
  serve: (request: IncomingMessage, response: ServerResponse) => Promise<void>,
): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    serve(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(502, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { code: 'harness', message: String(error) } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
