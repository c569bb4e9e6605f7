import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Baton, DEFAULT_MAX_BODY_BYTES, type HttpResponse, handleHttp } from '@baton/core';

export interface HttpServerOptions {
  host: string;
  port: number;
  /** Budget of the run a request starts; past it the run continues through the queue. */
  runBudgetMs: number;
  /** How long a message request waits for the answer before replying 202 with where to poll. */
  syncWaitMs: number;
  maxBodyBytes?: number;
  /**
   * Extra routes (the console, Slack) tried before the API; return null to fall through. `closed`
   * aborts when the response ends or the client goes away, which ends a streamed response.
   */
  extraRoutes?: (
    request: IncomingMessage,
    body: string,
    url: URL,
    closed: AbortSignal,
  ) => Promise<HttpResponse | RawResponse | null>;
}

export type RawResponse =
  | { status: number; headers: Record<string, string>; raw: string }
  /** Written chunk by chunk as the iterable yields (Server-Sent Events). */
  | { status: number; headers: Record<string, string>; stream: AsyncIterable<string> };

/** The local server: the same routes as the Lambda and Azure handlers, on node:http. */
export async function startHttpServer(
  baton: Baton,
  options: HttpServerOptions,
): Promise<{ server: Server; url: string }> {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const server = createServer((request, response) => {
    serve(baton, options, maxBodyBytes, request, response).catch((error: unknown) => {
      baton.logger.error('request failed', { error });
      if (!response.headersSent)
        send(response, 500, { error: { code: 'internal', message: 'internal error' } });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return { server, url: `http://${options.host}:${address.port}` };
}

async function serve(
  baton: Baton,
  options: HttpServerOptions,
  maxBodyBytes: number,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const body = await readBody(request, maxBodyBytes);
  if (body === null) {
    // Answer without reading the rest: an oversized body never reaches the core.
    response.setHeader('connection', 'close');
    send(response, 413, {
      error: {
        code: 'payload_too_large',
        message: `the body exceeds ${maxBodyBytes} bytes`,
        retryable: false,
      },
    });
    return;
  }
  const closed = new AbortController();
  response.once('close', () => closed.abort());
  const extra = options.extraRoutes ? await options.extraRoutes(request, body, url, closed.signal) : null;
  if (extra) {
    if ('stream' in extra) {
      await writeStream(response, extra, closed.signal);
    } else if ('raw' in extra) {
      response.writeHead(extra.status, extra.headers).end(extra.raw);
    } else {
      send(response, extra.status, extra.body, extra.headers);
    }
    return;
  }
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  const result = await handleHttp(
    baton,
    {
      method: request.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers,
      body: request.method === 'GET' || request.method === 'HEAD' ? undefined : body,
    },
    { deadline: baton.clock.now() + options.runBudgetMs, waitMs: options.syncWaitMs, maxBodyBytes },
  );
  send(response, result.status, result.body, result.headers);
}

async function writeStream(
  response: ServerResponse,
  extra: { status: number; headers: Record<string, string>; stream: AsyncIterable<string> },
  closed: AbortSignal,
): Promise<void> {
  response.writeHead(extra.status, extra.headers);
  response.flushHeaders();
  for await (const chunk of extra.stream) {
    if (closed.aborted) break;
    if (!response.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          closed.removeEventListener('abort', done);
          response.off('drain', done);
          resolve();
        };
        response.once('drain', done);
        closed.addEventListener('abort', done, { once: true });
      });
    }
  }
  if (!closed.aborted) response.end();
}

/** The body as text, or null when it is larger than the limit. */
function readBody(request: IncomingMessage, limit: number): Promise<string | null> {
  const declared = Number(request.headers['content-length'] ?? '0');
  if (declared > limit) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
        return;
      }
      if (!tooLarge) chunks.push(chunk);
    });
    request.on('end', () => resolve(tooLarge ? null : Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function send(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = `${JSON.stringify(body, null, 2)}\n`;
  response.writeHead(status, {
    'content-type': 'application/json',
    ...headers,
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}
