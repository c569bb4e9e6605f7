import { Writable } from 'node:stream';
import type { Context } from 'aws-lambda';

/**
 * The part of the Lambda Node.js runtime a streaming handler touches, written from its documented
 * behaviour (aws-lambda-nodejs-runtime-interface-client: `awslambda.streamifyResponse`,
 * `HttpResponseStream.from`, the response stream): the global `awslambda`, a response stream
 * whose content type can only be set before the first write, a prelude hook run on that first
 * write, and on the far side what a Function URL does with the bytes: the JSON prelude up to
 * 8 NUL bytes gives status, headers and cookies, and everything after is the body, passed on
 * as it arrives.
 */

const HANDLER_STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const STREAM_RESPONSE = 'response';
const PRELUDE_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';
const DELIMITER_LENGTH = 8;

type Write = (chunk: string | Uint8Array) => void;

/** The runtime's response stream: a Writable with setContentType and the prelude hook. */
class ResponseStream extends Writable {
  contentType = 'application/octet-stream';
  _onBeforeFirstWrite: ((write: Write) => void) | undefined;
  #written = false;

  constructor(private readonly sink: (chunk: Uint8Array) => void) {
    super();
  }

  setContentType(contentType: string): void {
    if (this.#written) throw new Error('Cannot set content-type, too late.');
    this.contentType = contentType;
  }

  override write(chunk: unknown, encoding?: unknown, callback?: unknown): boolean {
    if (!this.#written) {
      this.#written = true;
      this._onBeforeFirstWrite?.((first) => super.write(first));
    }
    const data = typeof chunk === 'string' || chunk instanceof Uint8Array ? chunk : JSON.stringify(chunk);
    return super.write(data, encoding as BufferEncoding, callback as () => void);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.sink(new Uint8Array(chunk));
    done();
  }
}

const HttpResponseStream = {
  from(stream: ResponseStream, prelude: Record<string, unknown>): ResponseStream {
    stream.setContentType(PRELUDE_CONTENT_TYPE);
    const json = JSON.stringify(prelude);
    stream._onBeforeFirstWrite = (write) => {
      write(json);
      write(new Uint8Array(DELIMITER_LENGTH));
    };
    return stream;
  },
};

/** What a Function URL client sees: the response line as soon as the prelude is in, then the body. */
export interface FunctionUrlResponse {
  status: number;
  headers: Record<string, string>;
  cookies: string[];
  /** The body's chunks in the order the handler wrote them, each as soon as it was written. */
  body: ReadableStream<Uint8Array>;
}

export interface StreamingInvocation {
  /** Resolves once the prelude arrived (or the stream ended without one). */
  response: Promise<FunctionUrlResponse>;
  /** Resolves when the handler returned and its stream finished, as the runtime waits for both. */
  done: Promise<void>;
}

/**
 * Installs `globalThis.awslambda` as the runtime defines it, until `uninstall`. `invoke` runs a
 * handler the way the runtime runs one flagged by `streamifyResponse` (refusing any other) and
 * reads its stream as a Function URL in RESPONSE_STREAM mode would.
 *
 * @example
 * const runtime = installStreamingRuntime();
 * const { response } = runtime.invoke(createStreamingHttpHandler(app), event, context);
 * const reader = (await response).body.getReader();
 */
export function installStreamingRuntime() {
  const scope = globalThis as { awslambda?: unknown };
  const previous = scope.awslambda;
  // Like the runtime: kept are what others put there (the AWS SDK's InvokeStore).
  scope.awslambda = {
    ...(previous as object | undefined),
    streamifyResponse<T extends object>(handler: T): T {
      (handler as Record<symbol, unknown>)[HANDLER_STREAMING] = STREAM_RESPONSE;
      return handler;
    },
    HttpResponseStream,
  };
  return {
    uninstall(): void {
      if (previous === undefined) delete scope.awslambda;
      else scope.awslambda = previous;
    },
    invoke(handler: unknown, event: unknown, context: Context): StreamingInvocation {
      if ((handler as Record<symbol, unknown>)[HANDLER_STREAMING] !== STREAM_RESPONSE) {
        throw new Error('the handler is not wrapped with awslambda.streamifyResponse');
      }
      return runStreaming(
        handler as (event: unknown, stream: Writable, context: Context) => Promise<unknown>,
        event,
        context,
      );
    },
  };
}

function runStreaming(
  handler: (event: unknown, stream: Writable, context: Context) => Promise<unknown>,
  event: unknown,
  context: Context,
): StreamingInvocation {
  let body!: ReadableStreamDefaultController<Uint8Array>;
  const bodyStream = new ReadableStream<Uint8Array>({
    start: (controller) => {
      body = controller;
    },
    // The client closed the connection: the runtime's stream fails, which ends the handler's pipe.
    cancel: () => {
      stream.destroy(new Error('the client closed the connection'));
    },
  });
  let resolveResponse!: (response: FunctionUrlResponse) => void;
  const response = new Promise<FunctionUrlResponse>((resolve) => {
    resolveResponse = resolve;
  });
  let pending: Uint8Array = new Uint8Array(0);
  let preludeRead = false;
  const answer = (status: number, headers: Record<string, string>, cookies: string[]) =>
    resolveResponse({ status, headers, cookies, body: bodyStream });
  const stream = new ResponseStream((chunk) => {
    if (stream.contentType !== PRELUDE_CONTENT_TYPE) {
      if (!preludeRead) answer(200, { 'content-type': stream.contentType }, []);
      preludeRead = true;
      if (chunk.byteLength > 0) body.enqueue(chunk);
      return;
    }
    if (preludeRead) {
      if (chunk.byteLength > 0) body.enqueue(chunk);
      return;
    }
    pending = concat(pending, chunk);
    const end = delimiterAt(pending);
    if (end < 0) return;
    const prelude = JSON.parse(new TextDecoder().decode(pending.subarray(0, end))) as {
      statusCode?: number;
      headers?: Record<string, string>;
      cookies?: string[];
    };
    preludeRead = true;
    answer(prelude.statusCode ?? 200, prelude.headers ?? {}, prelude.cookies ?? []);
    const rest = pending.subarray(end + DELIMITER_LENGTH);
    if (rest.byteLength > 0) body.enqueue(rest);
  });
  const finished = new Promise<void>((resolve, reject) => {
    stream.on('finish', resolve);
    stream.on('error', reject);
  });
  // Awaited only once the handler returned; a handler that failed first reports its own error.
  finished.catch(() => undefined);
  const done = (async () => {
    const result = handler(event, stream, context);
    if (!(result instanceof Promise)) throw new Error('Streaming does not support non-async handlers.');
    await result;
    await finished;
    if (!stream.writableFinished) throw new Error('Response stream is not finished.');
  })().then(
    () => {
      if (!preludeRead) answer(200, { 'content-type': stream.contentType }, []);
      body.close();
    },
    (error: unknown) => {
      body.error(error);
      throw error;
    },
  );
  return { response, done };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.byteLength + b.byteLength);
  joined.set(a);
  joined.set(b, a.byteLength);
  return joined;
}

/** Where the 8 NUL bytes after the prelude start, or -1 while they have not all arrived. */
function delimiterAt(bytes: Uint8Array): number {
  outer: for (let start = 0; start + DELIMITER_LENGTH <= bytes.byteLength; start++) {
    for (let offset = 0; offset < DELIMITER_LENGTH; offset++) {
      if (bytes[start + offset] !== 0) continue outer;
    }
    return start;
  }
  return -1;
}
