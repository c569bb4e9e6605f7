import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createTable } from '@baton/store-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AWS_ENTRIES, buildAwsBundle, DEFAULT_AWS_OUT_DIR, ForbiddenCodeError } from './aws-bundle.js';

const run = promisify(execFile);

/** A user's project outside the repository: one agent with a tool the example agent does not have. */
const CONFIG = `import { defineAgent, defineBaton, defineTool } from '@baton/core';
import { z } from 'zod';

const countLlamas = defineTool({
  name: 'count_llamas',
  description: 'Counts the llamas in the paddock.',
  parameters: z.object({ paddock: z.string() }),
  execute: ({ paddock }) => ({ paddock, llamas: 3 }),
});

export default defineBaton({
  agents: [defineAgent({ name: 'llama-keeper', instructions: 'Count llamas.', tools: [countLlamas] })],
  auth: 'none',
});
`;

describe('buildAwsBundle', () => {
  let project: string;
  let dynamodb: DynamoDBClient;
  const tableName = `baton-bundle-${randomUUID()}`;

  beforeAll(async () => {
    project = await mkdtemp(join(tmpdir(), 'baton-aws-bundle-'));
    await writeFile(join(project, 'baton.config.ts'), CONFIG);
    dynamodb = new DynamoDBClient({
      endpoint: inject('dynamodbEndpoint'),
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    await createTable(dynamodb, tableName, { timeToLive: false });
  });
  afterAll(async () => {
    await rm(project, { recursive: true, force: true });
    await dynamodb.send(new DeleteTableCommand({ TableName: tableName }));
    dynamodb.destroy();
  });

  it("bundles the config's own agent, no example agent and no Azure code, with the AWS SDK inside", async () => {
    const reports = await buildAwsBundle({
      configPath: join(project, 'baton.config.ts'),
      providerPackages: [],
    });
    expect(reports.map((report) => report.name)).toEqual([...AWS_ENTRIES]);
    for (const report of reports) {
      expect(report.file).toBe(join(project, DEFAULT_AWS_OUT_DIR, report.name, 'index.mjs'));
      expect(report.bytes).toBeGreaterThan(0);
      expect(report.packages.some((name) => name.startsWith('@aws-sdk/client-sqs@'))).toBe(true);
      expect(report.packages.some((name) => name.startsWith('@azure/'))).toBe(false);
      expect(report.packages.some((name) => name.startsWith('@baton/example-agent'))).toBe(false);
      const code = await readFile(report.file, 'utf8');
      expect(code).toContain('count_llamas');
      expect(code).not.toContain('create_ticket');
      expect(code).not.toContain('@azure/');
    }
  });

  it('answers HTTP events from DynamoDB when a fresh node process outside the repository loads the http bundle', async () => {
    const [http] = await buildAwsBundle({
      configPath: join(project, 'baton.config.ts'),
      outDir: 'cold',
      providerPackages: ['@baton/model-openai'],
      minify: false,
    });
    expect(http!.packages.some((name) => name.startsWith('@baton/model-openai'))).toBe(true);
    const script = `
      const { handler } = await import(${JSON.stringify(http!.file)});
      const event = (method, rawPath) => ({ version: '2.0', routeKey: '$default', rawPath, rawQueryString: '',
        headers: {}, isBase64Encoded: false, requestContext: { http: { method }, stage: '$default',
        domainName: 'x.lambda-url.eu-west-1.on.aws', timeEpoch: Date.now() } });
      const context = { awsRequestId: 'cold-1', getRemainingTimeInMillis: () => 10000 };
      const results = [await handler(event('GET', '/healthz'), context), await handler(event('GET', '/sessions/nobody'), context)];
      process.stdout.write(JSON.stringify(results));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: project,
      env: {
        PATH: process.env.PATH,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_ENDPOINT_URL_DYNAMODB: inject('dynamodbEndpoint'),
        BATON_TABLE: tableName,
        BATON_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/runs',
        BATON_LOG_LEVEL: 'error',
      },
    });
    const [health, missing] = JSON.parse(stdout);
    expect(health).toMatchObject({ statusCode: 200, isBase64Encoded: false });
    expect(JSON.parse(health.body)).toEqual({ ok: true });
    expect(missing.statusCode).toBe(404);
    expect(JSON.parse(missing.body).error.code).toBe('session_not_found');
  });

  it('leaves the AWS SDK to the Lambda runtime when asked', async () => {
    const reports = await buildAwsBundle({
      configPath: join(project, 'baton.config.ts'),
      outDir: 'external-sdk',
      providerPackages: [],
      externalAwsSdk: true,
    });
    for (const report of reports) {
      expect(report.packages.filter((name) => name.startsWith('@aws-sdk/'))).toEqual([]);
      expect(await readFile(report.file, 'utf8')).toContain('@aws-sdk/client-sqs');
    }
  });

  it('fails when Azure code ends up in a bundle', async () => {
    const config = join(project, 'azure.config.ts');
    await writeFile(
      config,
      `${CONFIG}\nimport { AbortError } from '@azure/abort-controller';\nexport const oops = new AbortError('no');\n`,
    );
    await expect(
      buildAwsBundle({ configPath: config, outDir: 'azure', providerPackages: [] }),
    ).rejects.toThrow(ForbiddenCodeError);
  });
});
