import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type BatonApp, DEFAULT_MAX_BODY_BYTES } from '@baton/core';

export interface HttpServerOptions {
  host: string;
  port: number;
  /** Budget of the run a request starts; past it the run continues through the queue. */
  runBudgetMs: number;
  /** How long a message request waits for the answer before replying 202 with where to poll. */
  syncWaitMs: number;
  /** Larger bodies are answered 413 without being read. */
  maxBodyBytes?: number;
}

/**
 * The local server: node:http in front of `app.fetch`. It only translates: the request (its body
 * read up to the limit, its Host header as the URL's host) to a Web Request whose signal aborts
 * when the client goes away, and the app's Web Response, streamed bodies included, back to
 * node:http. Which Host and Origin are accepted is the app's decision (`AppHost.localOnly`).
 *
 * @example
 * const { url } = await startHttpServer(app, { host: '127.0.0.1', port: 3000, runBudgetMs: 300_000, syncWaitMs: 10_000 });
 */
export async function startHttpServer(
  app: BatonApp,
  options: HttpServerOptions,
): Promise<{ server: Server; url: string }> {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  let origin = '';
  const server = createServer((request, response) => {
    serve(app, options, { origin, maxBodyBytes }, request, response).catch((error: unknown) => {
      app.baton.logger.error('request failed', { error });
      if (!response.headersSent) sendError(response, 500, 'internal', 'internal error');
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  origin = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${address.port}`;
  return { server, url: origin };
}

async function serve(
  app: BatonApp,
  options: HttpServerOptions,
  limits: { origin: string; maxBodyBytes: number },
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const body = await readBody(request, limits.maxBodyBytes);
  if (body === null) {
    // Answer without reading the rest: an oversized body never reaches the app.
    response.setHeader('connection', 'close');
    sendError(response, 413, 'payload_too_large', `the body exceeds ${limits.maxBodyBytes} bytes`);
    return;
  }
  const gone = new AbortController();
  response.once('close', () => gone.abort());
  const webRequest = toWebRequest(request, body, limits.origin, gone.signal);
  if (!webRequest) {
    sendError(response, 400, 'bad_request', 'the request cannot be read as an HTTP request');
    return;
  }
  const answer = await app.fetch(webRequest, {
    deadline: app.baton.clock.now() + options.runBudgetMs,
    waitMs: options.syncWaitMs,
  });
  await writeResponse(response, answer, gone.signal);
}

/** The node:http request as a Web Request, or null when it is not one (a method fetch forbids). */
function toWebRequest(
  request: IncomingMessage,
  body: Buffer,
  origin: string,
  signal: AbortSignal,
): Request | null {
  const method = request.method ?? 'GET';
  const headers = new Headers();
  try {
    for (const [name, value] of Object.entries(request.headers)) {
      if (value === undefined) continue;
      for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
    }
    // The URL carries the Host the client sent (the listening address only when it sent none), so
    // the app sees the name a browser used: it refuses a foreign one (DNS rebinding) and compares a
    // request's Origin with its own.
    const host = request.headers.host;
    // A name and a port only: `user@` or a path in it would make the URL say another host.
    if (host !== undefined && !/^[A-Za-z0-9._~:[\]-]+$/.test(host)) return null;
    const base = new URL(host ? `http://${host}` : origin);
    const url = new URL(request.url ?? '/', base);
    const withBody = method !== 'GET' && method !== 'HEAD' && body.length > 0;
    return new Request(`${base.origin}${url.pathname}${url.search}`, {
      method,
      headers,
      signal,
      ...(withBody ? { body } : {}),
    });
  } catch {
    return null;
  }
}

async function writeResponse(response: ServerResponse, answer: Response, gone: AbortSignal): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  answer.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const cookies = answer.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  response.writeHead(answer.status, headers);
  if (!answer.body) {
    response.end();
    return;
  }
  response.flushHeaders();
  const reader = answer.body.getReader();
  const cancel = () => void reader.cancel().catch(() => {});
  gone.addEventListener('abort', cancel, { once: true });
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done || gone.aborted) break;
      if (!response.write(value)) await drained(response, gone);
    }
  } finally {
    gone.removeEventListener('abort', cancel);
  }
  if (!gone.aborted) response.end();
}

function drained(response: ServerResponse, gone: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      gone.removeEventListener('abort', done);
      response.off('drain', done);
      resolve();
    };
    response.once('drain', done);
    gone.addEventListener('abort', done, { once: true });
  });
}

/** The body, or null when it is larger than the limit (the rest is not kept). */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer | null> {
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
    request.on('end', () => resolve(tooLarge ? null : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function sendError(response: ServerResponse, status: number, code: string, message: string): void {
  // `type` and `param` make it OpenAI's error shape too, for the /v1/ routes' SDK clients.
  const type = status >= 500 ? 'server_error' : 'invalid_request_error';
  const error = { code, message, type, param: null, retryable: false };
  const text = `${JSON.stringify({ error }, null, 2)}\n`;
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}
