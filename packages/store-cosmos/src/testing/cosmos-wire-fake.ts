import { once } from 'node:events';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { Agent, request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';

/**
 * A wire-level stand-in for the parts of real Cosmos DB the local API server cannot show: it sits in
 * front of that server on 127.0.0.1, forwards every request, and answers the ones a test intercepts
 * the way the service does (207 multi-status batches, 429 with retry-after, a request that never
 * answers). The SDK under test is the real one, so what it parses is what it would get from Azure.
 */

export interface WireRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface WireReply {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

type Interception = {
  matches: (request: WireRequest) => boolean;
  reply: WireReply | 'hang';
};

export function isBatch(request: WireRequest): boolean {
  return String(request.headers['x-ms-cosmos-is-batch-request']).toLowerCase() === 'true';
}

export function isPointRead(request: WireRequest): boolean {
  return request.method === 'GET' && /\/docs\/[^/]+$/.test(request.path);
}

/** Per-operation results as Cosmos returns them for a failed transactional batch. */
export function multiStatus(statuses: number[]): WireReply {
  return {
    status: 207,
    headers: { 'x-ms-request-charge': String(statuses.length * 1.5) },
    body: statuses.map((statusCode) => ({ statusCode, requestCharge: statusCode === 424 ? 0 : 1.5 })),
  };
}

/** A 429 as Cosmos sends it: retry-after header, substatus, and the service's message. */
export function throttled(): WireReply {
  return {
    status: 429,
    headers: { 'x-ms-retry-after-ms': '1', 'x-ms-substatus': '3200', 'x-ms-request-charge': '0' },
    body: {
      code: '429',
      message:
        'Message: {"Errors":["Request rate is large. More Request Units may be needed, so no changes were made. Please retry this request later. Learn more: http://aka.ms/cosmosdb-error-429"]}',
    },
  };
}

export function unavailable(): WireReply {
  return {
    status: 503,
    headers: { 'x-ms-substatus': '21008' },
    body: { code: 'ServiceUnavailable', message: 'Service is currently unavailable.' },
  };
}

export class CosmosWireFake {
  readonly requests: WireRequest[] = [];
  private readonly interceptions: Interception[] = [];
  private readonly hanging = new Set<ServerResponse>();
  private readonly agent = new Agent({ rejectUnauthorized: false, keepAlive: false });

  private constructor(
    private readonly server: Server,
    private readonly target: URL,
    readonly endpoint: string,
  ) {}

  /** Starts a fake in front of the Cosmos API server at `target` (https). */
  static async start(target: string): Promise<CosmosWireFake> {
    let fake: CosmosWireFake | undefined;
    const server = createServer((request, response) => {
      fake?.handle(request, response).catch((error: unknown) => {
        response.statusCode = 502;
        response.end(JSON.stringify({ code: 'FakeError', message: String(error) }));
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    fake = new CosmosWireFake(server, new URL(target), `http://127.0.0.1:${port}`);
    return fake;
  }

  /** The next request that `matches` gets `reply` instead of reaching the server (once). */
  intercept(matches: (request: WireRequest) => boolean, reply: WireReply | 'hang'): void {
    this.interceptions.push({ matches, reply });
  }

  async close(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    const closed = once(this.server, 'close');
    this.server.close();
    this.server.closeAllConnections();
    await closed;
    this.agent.destroy();
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const wire: WireRequest = {
      method: request.method ?? 'GET',
      path: (request.url ?? '/').split('?')[0]!,
      headers: request.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    this.requests.push(wire);
    const index = this.interceptions.findIndex((interception) => interception.matches(wire));
    if (index >= 0) {
      const [{ reply }] = this.interceptions.splice(index, 1) as [Interception];
      if (reply === 'hang') {
        this.hanging.add(response);
        return;
      }
      response.writeHead(reply.status, {
        'content-type': 'application/json',
        'x-ms-activity-id': '00000000-0000-0000-0000-000000000000',
        ...reply.headers,
      });
      response.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
      return;
    }
    await this.forward(request, Buffer.concat(chunks), response);
  }

  private async forward(request: IncomingMessage, body: Buffer, response: ServerResponse): Promise<void> {
    const upstream = httpsRequest({
      host: this.target.hostname,
      port: this.target.port,
      method: request.method,
      path: request.url,
      headers: { ...request.headers, host: this.target.host },
      agent: this.agent,
    });
    upstream.end(body);
    const [answer] = (await once(upstream, 'response')) as [IncomingMessage];
    response.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(response);
    await once(answer, 'end');
  }
}
