import { isProduction } from './clouds.js';
import { type Secrets, secretEnvironment } from './secrets.js';
import { AWS_TUNING, fromEnvironment, MODEL_SETTINGS, SECRETS, type SecretName } from './settings.js';

/**
 * The worker's Lambda timeout. One invocation advances a run as far as this allows and hands the
 * rest to a continuation message, so it bounds latency per hop, not the length of a run.
 */
export const WORKER_TIMEOUT_SECONDS = 300;

/** AWS's advice for an SQS event source: a visibility timeout of six times the function's timeout. */
export const RUN_QUEUE_VISIBILITY_SECONDS = 6 * WORKER_TIMEOUT_SECONDS;

/**
 * Receives before SQS moves a message to the dead-letter queue. Generous because a worker that
 * finds the session's lease held returns the message until the lease ends, and each such round is a
 * receive; messages no retry can fix go to the DLQ at once through BATON_DLQ_URL.
 */
export const RUN_QUEUE_MAX_RECEIVES = 10;

/** API Gateway answers 503 after 30 s; the handler plans within that (API_GATEWAY_BUDGET_MS). */
export const HTTP_TIMEOUT_SECONDS = 30;

/** The core API behind API Gateway: explicit routes, so unknown paths never start a function. */
export const API_ROUTES = [
  'GET /healthz',
  'GET /sessions',
  'GET /sessions/{sessionId}',
  'DELETE /sessions/{sessionId}',
  'GET /sessions/{sessionId}/events',
  'POST /sessions/{sessionId}/messages',
  'POST /sessions/{sessionId}/approvals/{callId}',
] as const;

/** Slack's Events API, interactivity and slash command URLs (the ones to enter in the Slack app). */
export const SLACK_ROUTES = [
  'POST /slack/events',
  'POST /slack/interactivity',
  'POST /slack/commands',
] as const;

/** Where `npm run build:aws` writes each handler (dist/aws/<entry>/index.mjs). */
const bundle = (entry: 'http' | 'worker' | 'sweeper') => ({
  bundle: `dist/aws/${entry}`,
  handler: 'index.handler',
});

export interface AwsOptions {
  secrets: Secrets;
  /** The environment of `sst deploy`: model settings and tuning are copied from it when set. */
  env: Record<string, string | undefined>;
}

/**
 * Baton on AWS: the DynamoDB table, the run queue and its dead-letter queue, the HTTP API, the SQS
 * worker and the sweeper schedule. Every function gets the same configuration, because the three
 * handlers share one cold start (packages/aws/src/entry/app.ts).
 */
export function deployAws({ secrets, env }: AwsOptions) {
  const production = isProduction($app.stage);

  // Mirrors @baton/store-dynamodb's tableDefinition; test/infra holds the two together.
  const table = new sst.aws.Dynamo('Sessions', {
    fields: { pk: 'string', sk: 'string', listPk: 'string', listSk: 'string' },
    primaryIndex: { hashKey: 'pk', rangeKey: 'sk' },
    globalIndexes: {
      'by-tenant': { hashKey: 'listPk', rangeKey: 'listSk', projection: ['data', 'status', 'expiresAt'] },
    },
    ttl: 'expiresAt',
    deletionProtection: production,
  });

  const deadLetters = new sst.aws.Queue('RunsDeadLetter', {
    // Longer than the run queue's 4 days, so a poisoned run can still be inspected and redriven.
    transform: { queue: { messageRetentionSeconds: 14 * 24 * 3600 } },
  });
  const runs = new sst.aws.Queue('Runs', {
    visibilityTimeout: `${RUN_QUEUE_VISIBILITY_SECONDS} seconds`,
    dlq: { queue: deadLetters.arn, retry: RUN_QUEUE_MAX_RECEIVES },
  });

  const secretNames = Object.keys(SECRETS) as SecretName[];
  // Converse and InvokeInlineAgent authenticate with the function's role (OpenAI-on-Bedrock uses an API key).
  const bedrock = /^bedrock(-agent)?$/.test(env.BATON_MODEL_PROVIDER ?? '');
  const common = {
    runtime: 'nodejs22.x' as const,
    architecture: 'arm64' as const,
    memory: '1024 MB' as const,
    // Linked for the IAM grants (and for `Resource.<Name>` should a handler read it); the handlers
    // read the environment below today.
    link: [table, runs, deadLetters, ...secretNames.map((name) => secrets[name])],
    environment: {
      BATON_TABLE: table.name,
      BATON_QUEUE_URL: runs.url,
      BATON_DLQ_URL: deadLetters.url,
      ...secretEnvironment(secrets, secretNames),
      ...fromEnvironment(MODEL_SETTINGS, env),
      ...fromEnvironment(AWS_TUNING, env),
    },
    ...(bedrock
      ? {
          permissions: [
            {
              actions: [
                'bedrock:InvokeModel',
                'bedrock:InvokeModelWithResponseStream',
                'bedrock:InvokeInlineAgent',
              ],
              resources: ['*'],
            },
          ],
        }
      : {}),
  };

  const http = new sst.aws.Function('Http', {
    ...common,
    ...bundle('http'),
    timeout: `${HTTP_TIMEOUT_SECONDS} seconds`,
  });
  const api = new sst.aws.ApiGatewayV2('Api');
  for (const route of [...API_ROUTES, ...SLACK_ROUTES]) api.route(route, http.arn);

  runs.subscribe(
    { ...common, ...bundle('worker'), timeout: `${WORKER_TIMEOUT_SECONDS} seconds` },
    // Without partialResponses the worker's batchItemFailures are ignored and a whole batch retries.
    { batch: { partialResponses: true, size: 10 } },
  );

  // Re-enqueues runs whose queue message was lost; core's sweep skips sessions idle under a minute.
  new sst.aws.CronV2('Sweep', {
    schedule: 'rate(5 minutes)',
    function: { ...common, ...bundle('sweeper'), timeout: '60 seconds' },
  });

  return {
    api: api.url,
    table: table.name,
    runQueue: runs.url,
    deadLetterQueue: deadLetters.url,
  };
}
