import { Readable } from 'node:stream';
import type { BatonApp } from '@baton/core';
import { ConfigurationError } from '@baton/core';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { errorResult } from './http-event.js';
import { fetchHttpEvent, type HttpHandlerOptions } from './http-handler.js';
import { withLogFields } from './invocation-log.js';
import { DEFAULT_TIMEOUT_EARLY_MS } from './lambda-deadline.js';

/**
 * What middy's `streamifyResponse` takes from a handler: the status, headers and cookies go into
 * the Lambda runtime's `HttpResponseStream.from` prelude, the body is piped after it as produced.
 */
export interface StreamingResult {
  statusCode: number;
  headers: Record<string, string>;
  cookies?: string[];
  body: Readable | string;
}

/** A handler the Lambda Node.js runtime invokes with a response stream (`awslambda.streamifyResponse`). */
export type StreamingHttpHandler = middy.MiddyfiedHandler<APIGatewayProxyEventV2, StreamingResult>;

/**
 * The Lambda handler for a Function URL in `RESPONSE_STREAM` mode: the same request, deadline and
 * auth as `createHttpHandler` (the app verifies API keys and JWTs itself; a Function URL has no
 * authorizer), but the Response's body goes to the client chunk by chunk as the app produces it,
 * so `GET /sessions/{id}/stream` and the console's live feed stay open instead of being buffered.
 * Only the Lambda runtime defines `awslambda`: build this handler there (or under a test shim).
 *
 * @example
 * export const stream = createStreamingHttpHandler(app, { safetyMarginMs: 2_000 });
 */
export function createStreamingHttpHandler(
  app: BatonApp,
  options: HttpHandlerOptions = {},
): StreamingHttpHandler {
  if (!inLambdaRuntime()) {
    throw new ConfigurationError(
      'awslambda is not defined: the streaming handler runs only in the Lambda Node.js runtime (deploy it behind a Function URL with invoke mode RESPONSE_STREAM)',
      { setting: 'awslambda' },
    );
  }
  return middy<APIGatewayProxyEventV2, StreamingResult>({
    streamifyResponse: true,
    timeoutEarlyInMillis: options.timeoutEarlyMs ?? DEFAULT_TIMEOUT_EARLY_MS,
    timeoutEarlyResponse: () =>
      streamed(
        errorResult(503, 'timeout', 'the invocation ran out of time; poll the session or retry', true),
      ),
  }).handler((event: APIGatewayProxyEventV2, context: Context) =>
    withLogFields({ invocation: context?.awsRequestId }, async () => {
      const answer = await fetchHttpEvent(app, event, context, options);
      return answer.ok ? toStreamingResult(answer.response) : streamed(answer.result);
    }),
  );
}

/**
 * Whether the Lambda Node.js runtime's `awslambda.streamifyResponse` is there. The AWS SDK defines
 * an empty `awslambda` object anywhere it loads, so the object alone says nothing.
 *
 * @example
 * const stream = inLambdaRuntime() ? createStreamingHttpHandler(app) : undefined;
 */
export function inLambdaRuntime(): boolean {
  const runtime = (globalThis as { awslambda?: { streamifyResponse?: unknown } }).awslambda;
  return typeof runtime?.streamifyResponse === 'function';
}

/**
 * A Response as a streaming result: headers as they are (`set-cookie` to `cookies`), the body as a
 * Node stream that starts with an empty chunk. The runtime writes the prelude on the first write,
 * so without it a client would wait for the first event to see the status, and an empty body
 * (204) would reach it as a 200 with the runtime's own content type.
 *
 * @example
 * const result = toStreamingResult(new Response('data: hi\n\n', { headers: { 'content-type': 'text/event-stream' } }));
 */
export function toStreamingResult(response: Response): StreamingResult {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  return {
    statusCode: response.status,
    headers,
    ...(cookies.length > 0 ? { cookies } : {}),
    body: nodeBody(response.body),
  };
}

/**
 * The app's body as a Node stream (object mode, so the empty first chunk is written too). When
 * the pipe ends early (the client went away) the app's stream is cancelled, which ends a follow.
 */
function nodeBody(body: ReadableStream<Uint8Array> | null): Readable {
  const reader = body?.getReader();
  let started = false;
  return new Readable({
    objectMode: true,
    read() {
      if (!started) {
        started = true;
        this.push(new Uint8Array(0));
      } else if (!reader) {
        this.push(null);
      } else {
        reader.read().then(
          (chunk) => this.push(chunk.done ? null : chunk.value),
          (error: unknown) => this.destroy(error as Error),
        );
      }
    },
    destroy(error, callback) {
      if (!reader) return callback(error);
      reader.cancel(error ?? undefined).then(
        () => callback(error),
        () => callback(error),
      );
    },
  });
}

/** A buffered result (the adapter's own errors) in the streaming shape. */
function streamed(result: {
  statusCode?: number;
  headers?: Record<string, unknown>;
  body?: string;
}): StreamingResult {
  return toStreamingResult(
    new Response(result.body ?? null, {
      status: result.statusCode ?? 200,
      headers: result.headers as Record<string, string>,
    }),
  );
}
