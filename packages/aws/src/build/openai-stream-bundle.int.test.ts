import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoStore } from '@baton/store-dynamodb';
import { interceptLocalhostDns } from 'fauxqs';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { LambdaHandlers } from '../lambda-handlers.js';
import { useLambdaEmulators } from '../test-support/lambda-emulators.js';
import { type LambdaHttpServer, serveLambdaHandlers } from '../test-support/lambda-http-server.js';
import { installStreamingRuntime } from '../test-support/lambda-streaming-runtime.js';
import { buildAwsBundle, STREAMING_EXPORT } from './aws-bundle.js';

/** A user's project: one agent on the offline demo model (no provider configured), no auth. */
const CONFIG = `import { defineAgent, defineBaton } from '@baton/core';

export default defineBaton({
  agents: [defineAgent({ name: 'helper', instructions: 'Help.' })],
  auth: 'none',
});
`;

/**
 * What `infra/aws.ts` deploys, end to end for the OpenAI-compatible front door: the http bundle
 * `baton build aws` writes, loaded as the Lambda runtime loads it (its `handler` behind API
 * Gateway, its `stream` export behind the HttpStream Function URL in RESPONSE_STREAM mode), with
 * the environment infra gives it (DynamoDB Local, the run queue on fauxqs), and the real `openai`
 * SDK as the client.
 */
describe('the OpenAI-compatible front door in the built http bundle', () => {
  const env = useLambdaEmulators('baton-front-door-bundle');
  let project: string;
  let server: LambdaHttpServer;
  let runtime: ReturnType<typeof installStreamingRuntime>;
  const saved = { ...process.env };
  let restoreDns: (() => void) | undefined;

  beforeAll(async () => {
    project = await mkdtemp(join(tmpdir(), 'baton-front-door-bundle-'));
    await writeFile(join(project, 'baton.config.ts'), CONFIG);
    const [http] = await buildAwsBundle({
      configPath: join(project, 'baton.config.ts'),
      providerPackages: [],
    });
    const queue = await env.sqs.createQueue('front-door-bundle');
    Object.assign(process.env, {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_ENDPOINT_URL_DYNAMODB: inject('dynamodbEndpoint'),
      AWS_ENDPOINT_URL_SQS: env.sqs.endpoint,
      BATON_TABLE: env.tableName,
      BATON_QUEUE_URL: queue.url,
      BATON_LOG_LEVEL: 'error',
    });
    // fauxqs names its queues under sqs.<region>.localhost, and the SDK sends to the queue URL's host.
    restoreDns = interceptLocalhostDns();
    runtime = installStreamingRuntime();
    const bundle = (await import(http!.file)) as Record<string, unknown>;
    const handlers = { http: bundle.handler, stream: bundle[STREAMING_EXPORT] } as Pick<
      LambdaHandlers,
      'http' | 'stream'
    >;
    server = await serveLambdaHandlers(handlers, runtime);
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    runtime?.uninstall();
    restoreDns?.();
    process.env = saved;
    await rm(project, { recursive: true, force: true });
  });

  it('streams a response through the stream export, whose events end with the response read back', async () => {
    const client = new OpenAI({ baseURL: `${server.streamUrl}/v1`, apiKey: 'unused', maxRetries: 0 });
    const types: string[] = [];
    let deltas = '';
    let final: OpenAI.Responses.Response | undefined;
    for await (const event of await client.responses.create({
      model: 'helper',
      input: 'hello',
      stream: true,
    })) {
      types.push(event.type);
      if (event.type === 'response.output_text.delta') deltas += event.delta;
      if (event.type === 'response.completed') final = event.response;
    }
    expect(types.slice(0, 2)).toEqual(['response.created', 'response.in_progress']);
    expect(types.at(-1)).toBe('response.completed');
    expect(final?.status).toBe('completed');
    expect(deltas).not.toBe('');
    expect(deltas).toBe(final?.output_text);
    expect(server.invocations.stream).toEqual(['POST /v1/responses']);
    // More than one chunk: the events left as written, not as one buffered body.
    expect(server.streamedChunks[0]).toBeGreaterThan(1);

    // The same session in the table, and through the buffered handler API Gateway calls.
    const store = new DynamoStore({ client: env.dynamodb, tableName: env.tableName });
    const session = final!.conversation!.id;
    expect((await store.readHead({ tenant: 'default', sessionId: session }))?.status).toBe('idle');
    const read = await new OpenAI({
      baseURL: `${server.apiUrl}/v1`,
      apiKey: 'unused',
      maxRetries: 0,
    }).responses.retrieve(final!.id);
    expect(read.output_text).toBe(final?.output_text);
    expect(server.invocations.api).toEqual([`GET /v1/responses/${final!.id}`]);
  });
});
