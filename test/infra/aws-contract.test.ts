import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installStreamingRuntime } from '../../packages/aws/src/test-support/lambda-streaming-runtime.js';
import { awsMismatches, deployedFunctions } from './aws-contract.js';
import { type AwsFacts, awsFacts } from './aws-facts.js';
import {
  bedrockGrants,
  mismatchesOf,
  recordAws,
  sampleValues,
  useBundleDir,
  withEnvironment,
} from './aws-recording.js';
import { bundleFolder, INFRA_DIR, mismatchedCopy, removeCopies, settingsOf } from './infra-copy.js';

const PROFILE = 'us.amazon.nova-pro-v1:0';
const ARN = 'arn:${aws.getPartitionOutput().partition}:bedrock';
const REGION_ACCOUNT = '${aws.getRegionOutput().region}:${aws.getCallerIdentityOutput().accountId}';

describe('infra/aws.ts', () => {
  let facts: AwsFacts;
  afterAll(removeCopies);
  beforeAll(async () => {
    const bundleDir = bundleFolder(['http.mjs', 'worker.mjs', 'sweeper.mjs']);
    useBundleDir(bundleDir);
    facts = await awsFacts(bundleDir);
  });

  it('agrees with the handlers, the store and the queue adapter when evaluated as written', async () => {
    expect(await mismatchesOf(INFRA_DIR, facts)).toEqual([]);
  });

  it('deploys the per-entry layout of npm run build:aws as well as the flat one of npx baton build aws', async () => {
    const nested = bundleFolder(['http/index.mjs', 'worker/index.mjs', 'sweeper/index.mjs']);
    const { AWS_LEFT_UNSET } = await settingsOf(INFRA_DIR);
    const recording = await recordAws(INFRA_DIR, { bundle: nested });
    expect(await awsMismatches(recording, { ...facts, bundleDir: nested }, AWS_LEFT_UNSET)).toEqual([]);
  });

  it('stops with one line when the bundle was not built', async () => {
    await expect(recordAws(INFRA_DIR, { bundle: bundleFolder([]) })).rejects.toThrow(
      /holds no http\.mjs: build the bundle first \(npx baton build aws\)$/,
    );
  });

  it('starts every deployed handler of the real bundle with the environment infra declares and finds its export a function', async () => {
    const functions = deployedFunctions(await recordAws(INFRA_DIR, { env: {} }), facts);
    expect([...new Set(functions.map((fn) => fn.entry))].sort()).toEqual([...facts.entries].sort());
    // The Lambda runtime's awslambda global, which the http bundle's streaming export needs.
    const runtime = installStreamingRuntime();
    try {
      for (const fn of functions) {
        const exported = String(fn.args.handler).split('.')[1] ?? '';
        const module = await withEnvironment(
          sampleValues(fn.args.environment),
          () => import(pathToFileURL(facts.built.get(fn.entry ?? '') ?? '').href),
        );
        expect(typeof (module as Record<string, unknown>)[exported], fn.label).toBe('function');
      }
    } finally {
      runtime.uninstall();
    }
  });

  it('reports a handler export the entry does not have when a copy renames it', async () => {
    const dir = mismatchedCopy('aws-bundle.ts', "exported = 'handler'", "exported = 'main'");
    expect(await mismatchesOf(dir, facts)).toContainEqual(
      expect.stringMatching(/^Function Http: the built .*\/http\/index\.mjs exports no "main"$/),
    );
  });

  it('reports a runtime other than nodejs24.x when a copy pins an older one', async () => {
    const dir = mismatchedCopy('aws.ts', "runtime: 'nodejs24.x'", "runtime: 'nodejs22.x'");
    expect(await mismatchesOf(dir, facts)).toContainEqual(
      'Function Http: runtime nodejs22.x is not nodejs24.x',
    );
  });

  it('reports the hash key when a copy of infra renames it', async () => {
    const dir = mismatchedCopy('aws.ts', "primaryIndex: { hashKey: 'pk'", "primaryIndex: { hashKey: 'id'");
    expect(await mismatchesOf(dir, facts)).toContainEqual("table hash key id is not the store's pk");
  });

  it('reports the range key when the store renames it and infra does not follow', async () => {
    const renamed: AwsFacts = {
      ...facts,
      table: {
        ...facts.table,
        keySchema: facts.table.keySchema.map((key) =>
          key.KeyType === 'RANGE' ? { ...key, AttributeName: 'sortKey' } : key,
        ),
      },
    };
    expect(await mismatchesOf(INFRA_DIR, renamed)).toContainEqual(
      "table range key sk is not the store's sortKey",
    );
  });

  it('reports the TTL attribute when a copy names another one', async () => {
    const dir = mismatchedCopy('aws.ts', "ttl: 'expiresAt'", "ttl: 'ttl'");
    expect(await mismatchesOf(dir, facts)).toContainEqual(
      "table TTL attribute ttl is not the store's expiresAt",
    );
  });

  it('reports a variable the handlers read when a copy stops setting it', async () => {
    const dir = mismatchedCopy('aws.ts', 'BATON_DLQ_URL: deadLetters.url,', '');
    expect(await mismatchesOf(dir, facts)).toContainEqual(
      'Function Http: the http handler reads BATON_DLQ_URL, which is neither set nor left unset on purpose',
    );
  });

  it('reports a model setting a provider reads when a copy stops forwarding it', async () => {
    const dir = mismatchedCopy('settings.ts', "  'BATON_OPENAI_API',\n", '');
    expect(await mismatchesOf(dir, facts)).toContainEqual(
      'Function Worker: the worker handler reads BATON_OPENAI_API, which is neither set nor left unset on purpose',
    );
  });

  it('reports a linked resource the handler reads when infra does not link it', async () => {
    const reading: AwsFacts = { ...facts, resourceReads: new Map([['worker', new Set(['Archive'])]]) };
    expect(await mismatchesOf(INFRA_DIR, reading)).toContainEqual(
      'Function Worker: the worker handler reads Resource.Archive, which is not linked',
    );
  });

  it("tells the handlers the run queue's receive limit and reports a copy that changes one without the other", async () => {
    const dir = mismatchedCopy(
      'aws.ts',
      'dlq: { queue: deadLetters.arn, retry: RUN_QUEUE_MAX_RECEIVES }',
      'dlq: { queue: deadLetters.arn, retry: 5 }',
    );
    expect(await mismatchesOf(dir, facts)).toContainEqual(
      "Function Worker: BATON_MAX_RECEIVES is 10, not the run queue's maxReceiveCount 5",
    );
  });

  it('reports missing partial batch responses when a copy turns them off', async () => {
    const dir = mismatchedCopy('aws.ts', "functionResponseTypes: ['ReportBatchItemFailures'],", '');
    expect(await mismatchesOf(dir, facts)).toContainEqual(
      'the worker event source has no partial batch responses: its batchItemFailures would be ignored',
    );
  });

  it('caps the worker event source at the configured concurrency and reports a copy without a cap', async () => {
    const recording = await recordAws(INFRA_DIR, { workerMaxConcurrency: 50 });
    const [mapping] = recording.resources.filter((r) => r.type === 'aws.lambda.EventSourceMapping');
    expect(mapping?.args.scalingConfig).toEqual({ maximumConcurrency: 50 });
    await expect(recordAws(INFRA_DIR, { workerMaxConcurrency: 5000 })).rejects.toThrow(/from 2 to 1000/);
    const dir = mismatchedCopy('aws.ts', 'scalingConfig: { maximumConcurrency: maxConcurrency },', '');
    expect(await mismatchesOf(dir, facts)).toContainEqual(
      'the worker event source has no maximum concurrency (got undefined)',
    );
  });

  it('reports a route the HTTP handler does not serve when a copy adds one', async () => {
    const dir = mismatchedCopy('aws.ts', "'GET /healthz',", "'GET /healthz',\n  'GET /status',");
    expect(await mismatchesOf(dir, facts)).toContainEqual(
      'route GET /status is not one the HTTP handler serves',
    );
  });

  it('links secrets only, never as plain environment values, and reports a copy that exposes one', async () => {
    const dir = mismatchedCopy(
      'aws.ts',
      'BATON_TABLE: table.name,',
      'BATON_TABLE: table.name,\n      OPENAI_API_KEY: secrets.OpenAiApiKey!.value,',
    );
    expect(await mismatchesOf(dir, facts)).toContainEqual(
      'Function Http: OPENAI_API_KEY carries secret OpenAiApiKey as a plain environment value',
    );
    const recording = await recordAws(INFRA_DIR, { env: {} });
    for (const fn of deployedFunctions(recording, facts)) {
      expect(Object.keys(fn.args.environment as object)).not.toContain('AWS_BEARER_TOKEN_BEDROCK');
    }
  });

  it('reports a linked secret the handlers do not copy into a variable at cold start', async () => {
    const { SlackBotToken: _dropped, ...rest } = facts.secretVariables;
    expect(await mismatchesOf(INFRA_DIR, { ...facts, secretVariables: rest })).toContainEqual(
      'Function Worker: links secret SlackBotToken, which the handlers never copy into a variable',
    );
  });

  it('reports a widened policy when a copy grants an action the code never calls', async () => {
    const dir = mismatchedCopy(
      'aws-permissions.ts',
      "'dynamodb:Scan'] as const",
      "'dynamodb:Scan', 'dynamodb:UpdateItem'] as const",
    );
    expect(await mismatchesOf(dir, facts)).toContainEqual(
      'Function Http: grants dynamodb:UpdateItem on ${Sessions.arn}, which the http handler does not need',
    );
  });

  it('reports a wildcard action when a copy grants sqs:* for sending', async () => {
    const dir = mismatchedCopy(
      'aws-permissions.ts',
      "const send = { actions: ['sqs:SendMessage']",
      "const send = { actions: ['sqs:*']",
    );
    expect(await mismatchesOf(dir, facts)).toContainEqual('Function Http: grants the wildcard action sqs:*');
  });

  it('reports a sweeper that may write or scan when a copy gives it the table reads and writes', async () => {
    const dir = mismatchedCopy(
      'aws-permissions.ts',
      "actions: ['dynamodb:Query'],",
      'actions: [...TABLE_READ, ...TABLE_WRITE],',
    );
    const problems = await mismatchesOf(dir, facts);
    expect(problems).toContainEqual(
      'Cron Sweep: grants dynamodb:PutItem on ${Sessions.arn}/index/by-pending, which the sweeper handler does not need',
    );
    expect(problems).toContainEqual(
      'Cron Sweep: grants dynamodb:Scan on ${Sessions.arn}/index/by-pending, which the sweeper handler does not need',
    );
  });

  it('reports a sweeper that reads the whole table when a copy grants its Query on every index', async () => {
    const dir = mismatchedCopy('aws-permissions.ts', '/index/${PENDING_INDEX}`', '/index/*`');
    expect(await mismatchesOf(dir, facts)).toContainEqual(
      'Cron Sweep: grants dynamodb:Query on ${Sessions.arn}/index/*, which the sweeper handler does not need',
    );
  });

  it('reports a link to the table, which would grant dynamodb:*, when a copy adds one', async () => {
    const dir = mismatchedCopy(
      'aws.ts',
      'link: Object.values(secrets),',
      'link: [table, ...Object.values(secrets)],',
    );
    expect(await mismatchesOf(dir, facts)).toContainEqual(
      'Function Http: links Sessions, whose link grants wildcard actions; grant what it calls instead',
    );
  });

  it('reports an SDK call the IAM contract does not know when the handlers start sending it', async () => {
    const calling: AwsFacts = {
      ...facts,
      sdkCommands: new Set([...facts.sdkCommands, 'UpdateTableCommand']),
    };
    expect(await mismatchesOf(INFRA_DIR, calling)).toContainEqual(
      'the handlers send UpdateTableCommand, which the IAM contract does not map to actions',
    );
  });

  it('grants Bedrock on the model of the short form BATON_MODEL=bedrock:<id>, on its profile and foundation model', async () => {
    const grants = bedrockGrants(
      await recordAws(INFRA_DIR, { env: { BATON_MODEL: `bedrock:${PROFILE}` } }),
      facts,
    );
    const expected = ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'].flatMap((action) => [
      `${action} on ${ARN}:${REGION_ACCOUNT}:inference-profile/${PROFILE}`,
      `${action} on ${ARN}:*::foundation-model/amazon.nova-pro-v1:0`,
    ]);
    expect(grants.http?.sort()).toEqual(expected.sort());
    expect(grants.worker?.sort()).toEqual(expected.sort());
    expect(grants.sweeper).toEqual([]);
  });

  it('grants InvokeInlineAgent and the Marketplace subscription for a third-party model on bedrock-agent', async () => {
    const env = {
      BATON_MODEL_PROVIDER: 'bedrock-agent',
      BATON_MODEL: 'anthropic.claude-3-5-haiku-20241022-v1:0',
    };
    const grants = bedrockGrants(await recordAws(INFRA_DIR, { env }), facts);
    expect(grants.worker).toContain(
      `bedrock:InvokeInlineAgent on ${ARN}:\${aws.getRegionOutput().region}::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0`,
    );
    expect(grants.worker).toContain('aws-marketplace:Subscribe on *');
    expect(grants.worker).toContain('aws-marketplace:ViewSubscriptions on *');
  });

  it('grants no Bedrock access for other providers, and a copy reading BATON_MODEL_PROVIDER alone misses the short form', async () => {
    const openai = bedrockGrants(
      await recordAws(INFRA_DIR, { env: { BATON_MODEL: 'openai:gpt-5-mini' } }),
      facts,
    );
    expect(openai.worker).toEqual([]);
    const dir = mismatchedCopy(
      'aws-permissions.ts',
      'const { provider, model } = modelSetting(env);',
      'const provider = env.BATON_MODEL_PROVIDER;\n  const model = env.BATON_MODEL;',
    );
    const copy = bedrockGrants(await recordAws(dir, { env: { BATON_MODEL: `bedrock:${PROFILE}` } }), facts);
    expect(copy.worker).toEqual([]);
  });

  it('reports a dead-letter alarm that would not fire when a copy watches another metric', async () => {
    const dir = mismatchedCopy(
      'aws.ts',
      "metricName: 'ApproximateNumberOfMessagesVisible'",
      "metricName: 'NumberOfMessagesSent'",
    );
    expect(await mismatchesOf(dir, facts)).toContainEqual(
      'the dead-letter alarm does not fire on the first visible message',
    );
  });
});
