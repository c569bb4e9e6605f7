import { FaultPlan, type FaultTiming } from './fault-plan.js';

/**
 * Cosmos DB's failures, injected at the HTTP level: a wrapper around the HttpClient the Cosmos SDK
 * sends every request through (`CosmosClientOptions.httpClient`), so the SDK's own retry policies
 * and error mapping see the injected answer as they would see the service's. Typed structurally so
 * this package needs no Azure SDK.
 *
 * - throttle: 429 with `x-ms-retry-after-ms` (the SDK retries it).
 * - unavailable: 503 (the SDK retries reads once, never writes).
 * - timeout: the request times out, before it left or after Cosmos applied it.
 * - reset: the connection drops after Cosmos applied the request.
 */
export type CosmosFaultKind = 'throttle' | 'unavailable' | 'timeout' | 'reset';

export interface CosmosFaultOptions {
  rate: number;
  seed?: number;
  /** Default: all four. */
  kinds?: readonly CosmosFaultKind[];
  /** Stop after this many faults (default: never), e.g. 1 to fail exactly one call. */
  limit?: number;
  /** Which requests may fail. Default: every request to a document (item, query or batch). */
  eligible?: (request: { method: string; url: string; operation: string }) => boolean;
}

interface RequestLike {
  method: string;
  url: string;
  headers: { get(name: string): string | undefined };
}

/** The HttpClient shape of @azure/core-rest-pipeline, reduced to what this wrapper needs. */
export interface HttpClientLike<Request extends RequestLike, Response> {
  sendRequest(request: Request): Promise<Response>;
}

const TIMINGS: Record<CosmosFaultKind, readonly FaultTiming[]> = {
  throttle: ['before'],
  unavailable: ['before'],
  timeout: ['before', 'after'],
  reset: ['after'],
};

/**
 * Wraps `inner` (normally `createDefaultHttpClient()` from @azure/core-rest-pipeline) so a share of
 * the requests fail.
 *
 * @example
 * const { httpClient, plan } = faultyCosmosHttpClient(createDefaultHttpClient(), { rate: 0.1 });
 * const store = new CosmosStore({ clientOptions: { endpoint, key, httpClient }, database, container });
 */
export function faultyCosmosHttpClient<Request extends RequestLike, Response>(
  inner: HttpClientLike<Request, Response>,
  options: CosmosFaultOptions,
): { httpClient: HttpClientLike<Request, Response>; plan: FaultPlan<CosmosFaultKind> } {
  const kinds = options.kinds ?? (Object.keys(TIMINGS) as CosmosFaultKind[]);
  const plan = new FaultPlan<CosmosFaultKind>({
    rate: options.rate,
    seed: options.seed ?? 1,
    ...(options.limit === undefined ? {} : { limit: options.limit }),
    kinds: kinds.map((kind) => ({ kind, timings: TIMINGS[kind] })),
  });
  const eligible = options.eligible ?? ((request) => request.url.includes('/docs'));
  const httpClient: HttpClientLike<Request, Response> = {
    async sendRequest(request) {
      const operation = operationOf(request);
      if (!eligible({ method: request.method, url: request.url, operation })) {
        return inner.sendRequest(request);
      }
      // A read that "lands" changes nothing: only writes have an interesting "after".
      const write = request.method !== 'GET' && operation !== 'query';
      const fault = plan.next(operation, undefined, write ? ['before', 'after'] : ['before']);
      if (!fault) return inner.sendRequest(request);
      if (fault.timing === 'after') {
        await inner.sendRequest(request);
        throw fault.kind === 'reset' ? resetError() : abortError();
      }
      if (fault.kind === 'timeout') throw abortError();
      if (fault.kind === 'throttle') {
        return response(
          request,
          429,
          { 'x-ms-retry-after-ms': '1', 'x-ms-substatus': '3200' },
          {
            code: 'TooManyRequests',
            message: 'Message: {"Errors":["Request rate is large. (injected)"]}',
          },
        ) as Response;
      }
      return response(
        request,
        503,
        {},
        {
          code: 'ServiceUnavailable',
          message: 'Message: {"Errors":["Service is currently unavailable. (injected)"]}',
        },
      ) as Response;
    },
  };
  return { httpClient, plan };
}

function operationOf(request: RequestLike): string {
  if (request.headers.get('x-ms-cosmos-is-batch-request')) return 'batch';
  if (request.headers.get('x-ms-documentdb-isquery')) return 'query';
  return `${request.method.toLowerCase()}-item`;
}

/** What core-rest-pipeline's HttpClient throws when the SDK's request timeout aborts the call. */
function abortError(): Error {
  return Object.assign(new Error('The operation was aborted. (injected)'), { name: 'AbortError' });
}

function resetError(): Error {
  return Object.assign(new Error('read ECONNRESET (injected)'), { name: 'RestError', code: 'ECONNRESET' });
}

/** A PipelineResponse with the parts the Cosmos SDK reads: status, headers, bodyAsText. */
function response(
  request: RequestLike,
  status: number,
  headers: Record<string, string>,
  body: Record<string, unknown>,
): unknown {
  const all: Record<string, string> = {
    'content-type': 'application/json',
    'x-ms-activity-id': `fault-${Math.random().toString(16).slice(2)}`,
    ...headers,
  };
  return {
    request,
    status,
    bodyAsText: JSON.stringify(body),
    headers: {
      get: (name: string) => all[name.toLowerCase()],
      has: (name: string) => name.toLowerCase() in all,
      set: (name: string, value: string | number | boolean) => {
        all[name.toLowerCase()] = String(value);
      },
      delete: (name: string) => {
        delete all[name.toLowerCase()];
      },
      toJSON: () => ({ ...all }),
      [Symbol.iterator]: () => Object.entries(all)[Symbol.iterator](),
    },
  };
}
