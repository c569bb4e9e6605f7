/**
 * What a cold start runs: a fresh `node` process imports one handler bundle and answers one
 * request. Bundled by esbuild into a dependency-free script, so the only code the process loads
 * besides Node is the bundle under test (and, for Baton's Lambda bundles, the AWS SDK the Lambda
 * runtime would provide). Prints its own load and answer times as JSON; exits non-zero when the
 * answer is wrong, so a broken handler never passes for a fast one.
 *
 *   node invoke.mjs <http|sqs|azure-http> <bundle.mjs>
 *   env: BENCH_SESSION, BENCH_TEXT
 */
import { pathToFileURL } from 'node:url';

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

const [kind, file] = process.argv.slice(2);
const sessionId = process.env.BENCH_SESSION ?? 'cold';
const text = process.env.BENCH_TEXT ?? 'hello';

// The timeouts infra/aws.ts gives the deployed functions: 30 s for HTTP, 300 s for the worker.
const budgetMs = kind === 'sqs' ? 300_000 : 30_000;
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

function check(result: unknown): { ok: boolean; status: unknown } {
  const r = result as { statusCode?: number; status?: number; body?: string; batchItemFailures?: unknown[] };
  if (kind === 'sqs')
    return { ok: Array.isArray(r.batchItemFailures) && r.batchItemFailures.length === 0, status: r };
  const status = r.statusCode ?? r.status;
  // 202: the handler recorded the message and handed the run to the queue (Baton's HTTP Lambda
  // does when the agent's model-call reserve does not fit its timeout).
  return { ok: status === 200 || status === 202, status };
}

const start = performance.now();
const module = (await import(pathToFileURL(file!).href)) as { handler?: Handler };
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
