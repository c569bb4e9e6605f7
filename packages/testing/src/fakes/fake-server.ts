import { createServer as createHttp1Server, type IncomingMessage, type ServerResponse } from 'node:http';
import {
  createServer as createHttp2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
  type Http2Session,
  constants as http2Constants,
} from 'node:http2';
import { type AddressInfo, createServer as createNetServer, type Socket } from 'node:net';
import { Duplex } from 'node:stream';

/** One request as a fake received it: what tests assert on. */
export interface RecordedRequest {
  method: string;
  /** The path without the query string, percent-decoded. */
  path: string;
  query: Record<string, string>;
  /** Header names in lower case (HTTP/2 pseudo-headers left out). */
  headers: Record<string, string>;
  /** The body parsed as JSON, or the raw text when it is not JSON. */
  body: unknown;
  rawBody: string;
  /** '1.1' or '2.0': the AWS SDK's Bedrock clients speak HTTP/2, the OpenAI SDK HTTP/1.1. */
  httpVersion: string;
}

/** The part of a response the fakes use, the same over HTTP/1.1 and HTTP/2. */
export interface FakeResponse {
  readonly headersSent: boolean;
  writeHead(status: number, headers?: Record<string, string>): void;
  write(chunk: string | Uint8Array): void;
  end(body?: string | Uint8Array): void;
  /** Drops the connection (HTTP/1.1) or resets the stream (HTTP/2) after what was written. */
  cut(): void;
}

export type FakeHandler = (request: RecordedRequest, response: FakeResponse) => void | Promise<void>;

export interface FakeServer {
  /** Origin of the server, e.g. `http://127.0.0.1:53011`, without a trailing slash. */
  readonly url: string;
  /** Every request received so far, in order. */
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

type AnyRequest = IncomingMessage | Http2ServerRequest;
type AnyResponse = ServerResponse | Http2ServerResponse;

/**
 * Starts an HTTP server on 127.0.0.1 and a free port that records every request and lets `handler`
 * answer it. It speaks HTTP/1.1 and cleartext HTTP/2 on the same port (chosen per connection from
 * its first bytes), because the AWS SDK's Bedrock clients open HTTP/2 connections by default. A
 * handler that throws answers 500 with the message, so a broken script fails a test with a reason.
 */
export async function startFakeServer(handler: FakeHandler): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  const listener = (incoming: AnyRequest, outgoing: AnyResponse) => {
    void handle(incoming, outgoing);
  };
  async function handle(incoming: AnyRequest, outgoing: AnyResponse): Promise<void> {
    const response = wrap(outgoing);
    try {
      const recorded = await record(incoming);
      requests.push(recorded);
      await handler(recorded, response);
    } catch (error) {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ message: `fake failed: ${(error as Error).message}` }));
    }
  }

  const http1 = createHttp1Server(listener);
  const http2 = createHttp2Server(listener);
  const sessions = new Set<Http2Session>();
  http2.on('session', (session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.once('data', (first) => {
      socket.pause();
      // An HTTP/2 client opens with the connection preface "PRI * HTTP/2.0".
      if (first.subarray(0, 3).toString('latin1') === 'PRI') {
        http2.emit('connection', replay(first, socket));
        return;
      }
      socket.unshift(first);
      http1.emit('connection', socket);
      socket.resume();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        // Keep-alive connections would hold close() open until they time out.
        for (const session of sessions) session.destroy();
        for (const socket of sockets) socket.destroy();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/**
 * The socket as a stream that starts with the bytes already read from it. The HTTP/2 server reads
 * a net.Socket's handle directly and would miss bytes put back with unshift(); a plain Duplex is
 * read through JavaScript, so nothing is lost.
 */
function replay(first: Buffer, socket: Socket): Duplex {
  const duplex = new Duplex({
    read: () => {
      socket.resume();
    },
    write: (chunk, _encoding, callback) => {
      socket.write(chunk, callback);
    },
    final: (callback) => {
      socket.end(callback);
    },
    destroy: (error, callback) => {
      socket.destroy();
      callback(error);
    },
  });
  socket.on('data', (chunk) => {
    if (!duplex.push(chunk)) socket.pause();
  });
  socket.once('end', () => duplex.push(null));
  socket.once('close', () => duplex.destroy());
  duplex.push(first);
  return duplex;
}

function wrap(outgoing: AnyResponse): FakeResponse {
  return {
    get headersSent() {
      return outgoing.headersSent;
    },
    writeHead: (status, headers = {}) => {
      outgoing.writeHead(status, headers);
    },
    write: (chunk) => {
      // Narrowed per protocol: the two write() signatures do not unify.
      if ('stream' in outgoing) outgoing.write(chunk);
      else outgoing.write(chunk);
    },
    end: (body) => {
      if (body === undefined) outgoing.end();
      else outgoing.end(body);
    },
    cut: () => {
      if ('stream' in outgoing) {
        outgoing.stream.close(http2Constants.NGHTTP2_INTERNAL_ERROR);
        return;
      }
      // Flush what was written, then close the socket without the terminating chunk.
      const { socket } = outgoing;
      socket?.end(() => socket.destroy());
    },
  };
}

async function record(incoming: AnyRequest): Promise<RecordedRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  const rawBody = Buffer.concat(chunks).toString('utf8');
  const url = new URL(incoming.url ?? '/', 'http://fake.invalid');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (value !== undefined && !name.startsWith(':'))
      headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return {
    method: incoming.method ?? 'GET',
    path: decodeURIComponent(url.pathname),
    query: Object.fromEntries(url.searchParams),
    headers,
    body: parseJson(rawBody),
    rawBody,
    httpVersion: incoming.httpVersion,
  };
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Writes a reply exactly as given. */
export function sendRaw(
  response: FakeResponse,
  raw: { status: number; headers?: Record<string, string>; body?: string },
): void {
  response.writeHead(raw.status, raw.headers ?? {});
  response.end(raw.body ?? '');
}

/**
 * Writes `parts` as a streamed body. With `truncateAfter`, only that many parts are written and the
 * connection is then cut mid-body, the way a dropped upstream connection looks to a client.
 */
export function sendStream(
  response: FakeResponse,
  headers: Record<string, string>,
  parts: Array<string | Uint8Array>,
  truncateAfter?: number,
): void {
  response.writeHead(200, headers);
  for (const part of parts.slice(0, truncateAfter ?? parts.length)) response.write(part);
  if (truncateAfter === undefined) response.end();
  else response.cut();
}
