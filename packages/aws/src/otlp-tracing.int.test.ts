import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createTable } from '@baton/store-dynamodb';
import { startFauxqs } from 'fauxqs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildAwsBundle } from './build/aws-bundle.js';
import { httpEvent } from './test-support/fixtures.js';
import { toSqsEvent } from './test-support/sqs-emulator.js';

const run = promisify(execFile);

/** What the ADOT layer's wrapper does before the handler loads: an SDK with an OTLP/HTTP exporter. */
const REGISTER = fileURLToPath(new URL('./test-support/otel-register.mjs', import.meta.url));

/**
 * A user's project: one agent whose tool needs 10 minutes, more than API Gateway's 30 s, so the
 * HTTP invocation calls the model once and hands the tool to a worker invocation. The model is
 * stateless (it answers from the messages), as every invocation is a fresh process here.
 */
const CONFIG = `import { defineAgent, defineBaton, defineTool } from '@baton/core';
import { z } from 'zod';

const countLlamas = defineTool({
  name: 'count_llamas',
  description: 'Counts the llamas in the paddock, slowly.',
  parameters: z.object({ paddock: z.string() }),
  timeoutMs: 600_000,
  execute: ({ paddock }) => ({ paddock, llamas: 3 }),
});

const usage = { inputTokens: 12, outputTokens: 4 };
const model = {
  provider: 'fake',
  modelId: 'llama-model',
  async generate(request) {
    if (request.messages.some((message) => message.role === 'tool')) {
      return { text: 'Three llamas.', toolCalls: [], usage, stopReason: 'end', model: 'llama-model' };
    }
    const call = { callId: 'c1', name: 'count_llamas', arguments: '{"paddock":"north"}' };
    return { text: '', toolCalls: [call], usage, stopReason: 'tool_calls', model: 'llama-model' };
  },
};

export default defineBaton({
  agents: [
    defineAgent({ name: 'llama-keeper', instructions: 'Count llamas.', model, tools: [countLlamas], timing: { modelCallMs: 1_000 } }),
  ],
  auth: 'none',
});
`;

interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: { key: string; value: { stringValue?: string } }[];
}

/** An OTLP/HTTP receiver (JSON encoding, what the -http exporter sends) on 127.0.0.1. */
async function startReceiver(): Promise<{ endpoint: string; spans: ReceivedSpan[]; server: Server }> {
  const spans: ReceivedSpan[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      if (request.url === '/v1/traces') {
        const payload = JSON.parse(body) as {
          resourceSpans: { scopeSpans: { spans: ReceivedSpan[] }[] }[];
        };
        for (const resource of payload.resourceSpans) {
          for (const scope of resource.scopeSpans) spans.push(...scope.spans);
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, spans, server };
}

describe('Baton spans through an OpenTelemetry SDK registered before the Lambda bundle (the ADOT layer path)', () => {
  let project: string;
  let dynamodb: DynamoDBClient;
  let sqs: Awaited<ReturnType<typeof startFauxqs>>;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const tableName = `baton-otel-${randomUUID()}`;

  beforeAll(async () => {
    project = await mkdtemp(join(tmpdir(), 'baton-otel-'));
    await writeFile(join(project, 'baton.config.ts'), CONFIG);
    dynamodb = new DynamoDBClient({
      endpoint: inject('dynamodbEndpoint'),
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    await createTable(dynamodb, tableName, { timeToLive: false });
    // On 127.0.0.1 its queue URLs name a host (sqs.<region>.127.0.0.1) the SDK cannot use, so the
    // handlers send to AWS_ENDPOINT_URL_SQS, as the cold-start benchmark does.
    sqs = await startFauxqs({ port: 0, host: '127.0.0.1', logger: false });
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await rm(project, { recursive: true, force: true });
    await dynamodb.send(new DeleteTableCommand({ TableName: tableName }));
    dynamodb.destroy();
    await sqs.stop();
    await new Promise((resolve) => receiver.server.close(resolve));
  });

  it('exports one trace across the HTTP invocation and the worker invocation that continues it', async () => {
    const queue = sqs.createQueue(`runs-${randomUUID()}`);
    const [http, worker] = await buildAwsBundle({
      configPath: join(project, 'baton.config.ts'),
      outDir: 'otel',
      providerPackages: [],
      minify: false,
    });
    // The bundle carries its own copy of @opentelemetry/api: the spans below reach the SDK only if
    // that copy finds the provider another copy registered (the API's global, keyed by major version).
    expect(http!.packages.some((name) => name.startsWith('@opentelemetry/api@'))).toBe(true);
    const env = {
      PATH: process.env.PATH,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_ENDPOINT_URL_DYNAMODB: inject('dynamodbEndpoint'),
      AWS_ENDPOINT_URL_SQS: sqs.address,
      BATON_TABLE: tableName,
      BATON_QUEUE_URL: queue.queueUrl,
      BATON_LOG_LEVEL: 'error',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
    };
    /** One cold invocation: a fresh Node process, the SDK registered first, then the bundle. */
    const invoke = async (file: string, event: unknown, remainingMs: number) => {
      const eventFile = join(project, `event-${randomUUID()}.json`);
      await writeFile(eventFile, JSON.stringify(event));
      const script = `
        import { readFileSync } from 'node:fs';
        const event = JSON.parse(readFileSync(${JSON.stringify(eventFile)}, 'utf8'));
        if (event.requestContext?.timeEpoch) event.requestContext.timeEpoch = Date.now();
        const started = Date.now();
        const context = { awsRequestId: 'otel-1', getRemainingTimeInMillis: () => ${remainingMs} - (Date.now() - started) };
        const { handler } = await import(${JSON.stringify(file)});
        process.stdout.write(JSON.stringify(await handler(event, context)));`;
      const { stdout } = await run(
        process.execPath,
        ['--import', REGISTER, '--input-type=module', '-e', script],
        { cwd: project, env },
      );
      return JSON.parse(stdout);
    };

    const accepted = await invoke(
      http!.file,
      httpEvent('http-api-v2', {
        method: 'POST',
        path: '/sessions/paddock-1/messages',
        body: { text: 'how many llamas in the north paddock?' },
      }),
      30_000,
    );
    expect(accepted).toMatchObject({ statusCode: 202 });
    const afterHttp = receiver.spans.map((span) => span.name);
    expect(afterHttp).toEqual(expect.arrayContaining(['invoke_agent llama-keeper', 'chat llama-model']));
    expect(afterHttp).not.toContain('execute_tool count_llamas');

    // The continuation the HTTP invocation enqueued (its safety-net copy waits 30 s in the queue).
    const client = new SQSClient({
      endpoint: sqs.address,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const received = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queue.queueUrl,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    client.destroy();
    const delivery = toSqsEvent(received.Messages ?? [], queue.queueArn);
    expect(delivery.Records.map((record) => JSON.parse(record.body).reason)).toEqual(['continue']);
    const answered = await invoke(worker!.file, delivery, 900_000);
    expect(answered).toEqual({ batchItemFailures: [] });

    const spans = receiver.spans;
    const named = (name: string) => spans.filter((span) => span.name === name);
    expect(named('invoke_agent llama-keeper')).toHaveLength(2);
    expect(named('chat llama-model')).toHaveLength(2);
    expect(named('execute_tool count_llamas')).toHaveLength(1);
    // One trace: the worker's invocation joined the one the HTTP request started.
    const [first, second] = named('invoke_agent llama-keeper');
    expect(new Set(spans.map((span) => span.traceId))).toEqual(new Set([first!.traceId]));
    expect(second!.parentSpanId).toBe(first!.spanId);
    const tool = named('execute_tool count_llamas')[0]!;
    expect(tool.parentSpanId).toBe(second!.spanId);
  });
});
