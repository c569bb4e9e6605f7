/**
 * What a cold start runs: a fresh `node` process imports one handler bundle and answers one
 * request. Bundled by esbuild into a dependency-free script, so the only code the process loads
 * besides Node is the bundle under test (and, for Baton's Lambda bundles, the AWS SDK the Lambda
 * runtime would provide). Prints its own load and answer times as JSON; exits non-zero when the
 * answer is wrong, so a broken handler never passes for a fast one.
 *
 *   node invoke.mjs <http|stream|sqs|azure-http> <bundle.mjs>
 *   env: BENCH_SESSION, BENCH_TEXT; BENCH_EXPECT_REPLY=1: only a 200 whose body holds the
 *   benchmark's reply counts (the turn ran, tool and all, within the request)
 */
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { REPLY_TEXT } from '../conversation.js';

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

const [kind, file] = process.argv.slice(2);
const sessionId = process.env.BENCH_SESSION ?? 'cold';
const text = process.env.BENCH_TEXT ?? 'hello';

// The timeouts infra gives the deployed functions: 30 s for HTTP, 300 s for the worker and for the
// HttpStream Function URL (infra/aws-streaming.ts).
const budgetMs = kind === 'sqs' || kind === 'stream' ? 300_000 : 30_000;
const startedAt = Date.now();
const lambdaContext = {
  awsRequestId: `cold-${sessionId}`,
  functionName: 'baton-bench',
  getRemainingTimeInMillis: () => budgetMs - (Date.now() - startedAt),
};

function httpEvent(): unknown {
  const path = `/sessions/${sessionId}/messages`;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: {
      'content-type': 'application/json',
      host: 'bench.lambda-url.us-east-1.on.aws',
      authorization: `Bearer ${process.env.BENCH_API_KEY ?? ''}`,
    },
    requestContext: {
      accountId: 'anonymous',
      apiId: 'bench',
      domainName: 'bench.lambda-url.us-east-1.on.aws',
      domainPrefix: 'bench',
      http: { method: 'POST', path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'node' },
      requestId: `cold-${sessionId}`,
      routeKey: '$default',
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    },
    body: JSON.stringify({ text }),
    isBase64Encoded: false,
  };
}

function sqsEvent(): unknown {
  const body = {
    v: 1,
    tenant: 'default',
    sessionId,
    reason: 'input',
    dedupeKey: `input:default/${sessionId}:1`,
  };
  return {
    Records: [
      {
        messageId: `cold-${sessionId}`,
        receiptHandle: 'cold',
        body: JSON.stringify(body),
        attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now()) },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: process.env.BENCH_QUEUE_ARN ?? 'arn:aws:sqs:us-east-1:000000000000:baton-runs',
        awsRegion: 'us-east-1',
      },
    ],
  };
}

/** The Functions host hands the handler a request like this; only what Baton's handler reads. */
function azureRequest(): unknown {
  const body = JSON.stringify({ text });
  return {
    method: 'POST',
    url: `http://localhost:7071/api/sessions/${sessionId}/messages`,
    headers: new Headers({
      'content-type': 'application/json',
      authorization: `Bearer ${process.env.BENCH_API_KEY ?? ''}`,
    }),
    query: new URLSearchParams(),
    params: { path: `sessions/${sessionId}/messages` },
    text: async () => body,
    arrayBuffer: async () => new TextEncoder().encode(body).buffer,
  };
}

/**
 * What the Lambda Node.js runtime gives a handler wrapped by `awslambda.streamifyResponse` (only
 * what middy's streaming mode calls): the global, `HttpResponseStream.from` keeping the prelude, and
 * a response stream that keeps the body. Installed before the bundle loads, as the runtime would.
 */
function installStreamingRuntime(): { stream: Writable; result: () => Promise<unknown> } {
  let prelude: { statusCode?: number } = {};
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  Object.assign(stream, { setContentType() {} });
  const scope = globalThis as { awslambda?: object };
  scope.awslambda = {
    ...scope.awslambda,
    streamifyResponse: <T>(handler: T): T => handler,
    HttpResponseStream: {
      from(target: Writable, given: { statusCode?: number }) {
        prelude = given;
        return target;
      },
    },
  };
  const finished = new Promise<void>((resolve, reject) => {
    stream.on('finish', resolve);
    stream.on('error', reject);
  });
  return {
    stream,
    result: async () => {
      await finished;
      return { statusCode: prelude.statusCode, body: Buffer.concat(chunks).toString() };
    },
  };
}

function check(result: unknown): { ok: boolean; status: unknown } {
  const r = result as {
    statusCode?: number;
    status?: number;
    body?: string | Uint8Array;
    batchItemFailures?: unknown[];
  };
  if (kind === 'sqs')
    return { ok: Array.isArray(r.batchItemFailures) && r.batchItemFailures.length === 0, status: r };
  const status = r.statusCode ?? r.status;
  if (process.env.BENCH_EXPECT_REPLY === '1') {
    // Azure's handler answers a Uint8Array; Lambda's, a string.
    const body =
      typeof r.body === 'string'
        ? r.body
        : r.body instanceof Uint8Array
          ? new TextDecoder().decode(r.body)
          : '';
    return { ok: status === 200 && body.includes(REPLY_TEXT.slice(0, 60)), status };
  }
  // 202: the handler recorded the message and handed the run to the queue (Baton's HTTP Lambda
  // does when the agent's model-call reserve does not fit its timeout).
  return { ok: status === 200 || status === 202, status };
}

const runtime = kind === 'stream' ? installStreamingRuntime() : undefined;
const start = performance.now();
const module = (await import(pathToFileURL(file!).href)) as {
  handler?: Handler;
  stream?: (event: unknown, stream: Writable, context: unknown) => Promise<unknown>;
};
const loaded = performance.now();
// The monotonic clock a --cpu-prof profile's timestamps use: where the import ends in it.
const importEndUs = Number(process.hrtime.bigint() / 1000n);
let handler: Handler | undefined = module.handler;
let result: unknown;
if (kind === 'azure-http') {
  // Registered through the stand-in @azure/functions-core placed beside the bundle.
  const registered = (globalThis as { __benchAzureFunctions?: Map<string, Handler> }).__benchAzureFunctions;
  handler = registered?.get('baton-http');
  if (!handler) throw new Error('the app registered no baton-http function');
  result = await handler(azureRequest(), { invocationId: `cold-${sessionId}`, functionName: 'baton-http' });
} else if (runtime) {
  // The HttpStream Function URL's handler: the http bundle's `stream` export.
  if (!module.stream) throw new Error(`${file} exports no stream handler`);
  await module.stream(httpEvent(), runtime.stream, lambdaContext);
  result = await runtime.result();
} else {
  if (!handler) throw new Error(`${file} exports no handler`);
  result = await handler(kind === 'sqs' ? sqsEvent() : httpEvent(), lambdaContext);
}
const answered = performance.now();
const { ok, status } = check(result);
process.stdout.write(
  `${JSON.stringify({ ok, loadMs: loaded - start, answerMs: answered - loaded, importEndUs, status })}\n`,
);
// Open sockets (SDK keep-alive, emulator clients) must not keep the process alive past its answer.
process.exit(ok ? 0 : 1);
