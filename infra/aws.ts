import { handlerIn } from './aws-bundle.js';
import { bedrockPermissions, functionPermissions } from './aws-permissions.js';
import { streamingFunction } from './aws-streaming.js';
import { type AwsTracingOptions, adotTracing } from './aws-tracing.js';
import { isProduction } from './clouds.js';
import { declareSecrets } from './secrets.js';
import { AUTH_SETTINGS, AWS_TUNING, fromEnvironment, MODEL_SETTINGS, type SecretName } from './settings.js';

/** API Gateway answers 503 after 30 s; the handler plans within that (API_GATEWAY_BUDGET_MS). */
export const HTTP_TIMEOUT_SECONDS = 30;

/**
 * Receives before SQS moves a message to the dead-letter queue: retries that can help and crashes
 * count (a busy session's hold-back is a fresh copy and does not, nor are the worker's visibility
 * beats receives); messages no retry can fix go to the DLQ at once through BATON_DLQ_URL.
 */
export const RUN_QUEUE_MAX_RECEIVES = 10;

/**
 * How long the worker keeps a record hidden at a time (it renews every third of it while it works):
 * a worker that dies has its records back within this, instead of the queue's visibility timeout.
 */
export const WORKER_VISIBILITY_SECONDS = 30;

/**
 * The queue's own visibility timeout beyond the worker's timeout. Lambda refuses an event source
 * whose queue hides messages for less than the function's timeout; past the worker's first beat the
 * queue's value no longer matters, so it is kept near that floor (see docs/deploy.md, Recovery).
 */
export const QUEUE_VISIBILITY_MARGIN_SECONDS = 60;

/** The core API behind API Gateway: explicit routes, so unknown paths never start a function. */
export const API_ROUTES = [
  'GET /healthz',
  'GET /sessions',
  'GET /sessions/{sessionId}',
  'DELETE /sessions/{sessionId}',
  'GET /sessions/{sessionId}/events',
  'POST /sessions/{sessionId}/messages',
  'POST /sessions/{sessionId}/approvals/{callId}',
  'POST /sessions/{sessionId}/schedules',
  'GET /sessions/{sessionId}/schedules',
  'DELETE /sessions/{sessionId}/schedules/{scheduleId}',
  'POST /sessions/{sessionId}/webhooks',
  'GET /sessions/{sessionId}/webhooks',
  'POST /sessions/{sessionId}/cancel',
  // The OpenAI-compatible front door (docs/interop.md). Buffered here, so a client that streams
  // (`stream: true`) uses the HttpStream Function URL as its base URL instead.
  'POST /v1/responses',
  'GET /v1/responses/{responseId}',
  'POST /v1/chat/completions',
  'GET /v1/models',
] as const;

/** Routes anyone may call: the health check. The JWT authorizer never guards them. */
export const PUBLIC_ROUTES: readonly string[] = ['GET /healthz'];

/**
 * The web console (`console: true`), on the same API and behind the app's own auth: its pages,
 * the sign-in form and the stylesheet and script the sign-in page needs (@baton/console's specs).
 */
export const CONSOLE_ROUTES = [
  'GET /console',
  'GET /console/{proxy+}',
  'GET /console/login',
  'POST /console/login',
  'GET /console/assets/{name}',
] as const;

/** Console routes without data: the sign-in form and its assets. A JWT authorizer never guards them. */
export const PUBLIC_CONSOLE_ROUTES: readonly string[] = [
  'GET /console/login',
  'POST /console/login',
  'GET /console/assets/{name}',
];

/** Slack's Events API, interactivity and slash command URLs (the ones to enter in the Slack app). */
export const SLACK_ROUTES = [
  'POST /slack/events',
  'POST /slack/interactivity',
  'POST /slack/commands',
] as const;

export interface AwsStackOptions {
  /** The environment model settings and tuning are copied from when set (default: `process.env`). */
  env?: Record<string, string | undefined>;
  /** Which SST secrets the functions get (default: all of SECRETS). */
  secrets?: readonly SecretName[];
  /** Memory of each function (default 1024 MB; CPU grows with it). */
  memory?: `${number} MB`;
  /**
   * The worker's timeout (default 300 s). One invocation advances a run as far as this allows and
   * hands the rest to a continuation message, so it bounds latency per hop, not a run's length.
   */
  workerTimeoutSeconds?: number;
  /**
   * The most worker instances the SQS event source runs at once (2 to 1000, default 20), so a burst
   * of runs cannot take the account's whole Lambda concurrency from the HTTP function.
   */
  workerMaxConcurrency?: number;
  /** Bedrock model ids an agent names in code (the deploy environment's BATON_MODEL is read anyway). */
  bedrockModels?: readonly string[];
  /**
   * Serve the web console at `/console` on the same API (default false): BATON_CONSOLE=on on the
   * HTTP function and the console's routes. Its pages need the app's `auth` like the API: with
   * `apiKeys()` a browser signs in with a key (a Secure, HttpOnly cookie); with `auth.jwt` the
   * pages sit behind the authorizer like the API routes (send the token), the sign-in form does not.
   */
  console?: boolean;
  /**
   * A second function on the http bundle behind a Function URL in RESPONSE_STREAM mode (default
   * true), for clients that stream (`GET /sessions/{id}/stream`): API Gateway buffers responses.
   * The app's own `auth` guards it; an API Gateway JWT authorizer does not (use `jwt()` there).
   */
  streaming?: boolean;
  /** An address the dead-letter alarm mails (confirm the SNS subscription once). */
  alarmEmail?: string;
  /**
   * Authentication the platform does before the function runs. API keys need nothing here (they
   * live in the table). `jwt`: an API Gateway JWT authorizer on every API route but the health
   * check and Slack's (Slack signs its requests): API Gateway refuses a missing, expired or wrongly
   * signed token itself, and the app reads the verified claims with `platformAuth({ tenantClaim })`.
   */
  auth?: AwsAuthOptions;
  /**
   * OpenTelemetry export through the ADOT Lambda layer, in one line: the layer, its wrapper and the
   * OTEL_* settings on every function (X-Ray grants when no OTLP endpoint is given). Unset: no
   * layer, no wrapper, no OTEL_* variable. See docs/deploy.md (Observability).
   */
  tracing?: AwsTracingOptions;
}

export interface AwsAuthOptions {
  jwt?: {
    /** The token issuer, e.g. `https://cognito-idp.<region>.amazonaws.com/<pool id>`. */
    issuer: string;
    /** A token must name one of these in `aud` (Cognito: the app client id). */
    audience: string[];
  };
}

/**
 * Baton on AWS from a prebuilt bundle directory (`npx baton build aws`): the DynamoDB table, the
 * run queue and its dead-letter queue with an alarm, the HTTP API, the SQS worker and the sweeper
 * schedule. Returns the stack's outputs.
 *
 * @example
 * // sst.config.ts, in run():
 * const { deployAws } = await import('@baton/infra/aws'); // or './infra/aws' in this repository
 * return deployAws('.baton/build/aws', { workerMaxConcurrency: 50, secrets: ['OpenAiApiKey'] });
 */
export function deployAws(bundleDir: string, options: AwsStackOptions = {}) {
  const env = options.env ?? process.env;
  const production = isProduction($app.stage);
  const jwt = options.auth?.jwt;
  if (jwt && (!jwt.issuer || jwt.audience.length === 0)) {
    throw new Error('auth.jwt needs an issuer and at least one audience');
  }
  const workerTimeout = options.workerTimeoutSeconds ?? 300;
  const maxConcurrency = options.workerMaxConcurrency ?? 20;
  if (!Number.isInteger(maxConcurrency) || maxConcurrency < 2 || maxConcurrency > 1000) {
    throw new Error(`workerMaxConcurrency must be an integer from 2 to 1000, got ${maxConcurrency}`);
  }

  // Mirrors @baton/store-dynamodb's tableDefinition; test/infra holds the two together.
  const table = new sst.aws.Dynamo('Sessions', {
    fields: {
      pk: 'string',
      sk: 'string',
      listPk: 'string',
      listSk: 'string',
      pendingPk: 'string',
      pendingSk: 'string',
    },
    primaryIndex: { hashKey: 'pk', rangeKey: 'sk' },
    globalIndexes: {
      'by-tenant': { hashKey: 'listPk', rangeKey: 'listSk', projection: ['data', 'status', 'expiresAt'] },
      // Sparse: only heads with pending work carry its keys, so the sweeper's Query reads just those.
      'by-pending': { hashKey: 'pendingPk', rangeKey: 'pendingSk', projection: ['data', 'expiresAt'] },
    },
    ttl: 'expiresAt',
    deletionProtection: production,
  });

  const deadLetters = new sst.aws.Queue('RunsDeadLetter', {
    // Longer than the run queue's 4 days, so a poisoned run can still be inspected and redriven.
    transform: { queue: { messageRetentionSeconds: 14 * 24 * 3600 } },
  });
  const runs = new sst.aws.Queue('Runs', {
    // Not AWS's six times the function's timeout: the worker's beats hide each record in 30 s
    // steps, so this only covers a record before its first beat (cold start, a throttled invoke).
    visibilityTimeout: `${workerTimeout + QUEUE_VISIBILITY_MARGIN_SECONDS} seconds`,
    dlq: { queue: deadLetters.arn, retry: RUN_QUEUE_MAX_RECEIVES },
  });

  const account = {
    partition: aws.getPartitionOutput().partition,
    region: aws.getRegionOutput().region,
    accountId: aws.getCallerIdentityOutput().accountId,
  };
  const bedrock = bedrockPermissions(env, options.bedrockModels ?? [], account);
  const secrets = declareSecrets(options.secrets);
  const tracing = adotTracing(options.tracing);
  const targets = { table, runs, deadLetters };
  const common = {
    runtime: 'nodejs24.x' as const,
    architecture: 'arm64' as const,
    memory: options.memory ?? ('1024 MB' as const),
    // Secrets only: SST encrypts linked values into the bundle (resource.enc, key in SST_KEY), so
    // they are never plain environment values. Linking the table or queues would grant dynamodb:*
    // and sqs:*; their names travel as environment values and their grants are explicit below.
    link: Object.values(secrets),
    ...(tracing.layers ? { layers: tracing.layers } : {}),
    environment: {
      BATON_TABLE: table.name,
      BATON_QUEUE_URL: runs.url,
      BATON_DLQ_URL: deadLetters.url,
      // The worker records the failure on the last receive, so it must know the queue's limit.
      BATON_MAX_RECEIVES: String(RUN_QUEUE_MAX_RECEIVES),
      BATON_VISIBILITY_SECONDS: String(WORKER_VISIBILITY_SECONDS),
      ...fromEnvironment(MODEL_SETTINGS, env),
      ...fromEnvironment(AUTH_SETTINGS, env),
      ...fromEnvironment(AWS_TUNING, env),
      ...tracing.environment,
    },
  };

  const httpEnvironment = options.console
    ? { ...common.environment, BATON_CONSOLE: 'on' }
    : common.environment;
  const httpPermissions = [...functionPermissions('http', targets), ...bedrock, ...tracing.permissions];
  const http = new sst.aws.Function('Http', {
    ...common,
    environment: httpEnvironment,
    ...handlerIn(bundleDir, 'http'),
    timeout: `${HTTP_TIMEOUT_SECONDS} seconds`,
    permissions: httpPermissions,
  });
  const stream =
    options.streaming === false
      ? undefined
      : // Not the console: its pages and their feed stay on the API (no BATON_CONSOLE here).
        streamingFunction(bundleDir, { ...common, permissions: httpPermissions });
  const api = new sst.aws.ApiGatewayV2('Api');
  const authorizer = jwt
    ? api.addAuthorizer({ name: 'Jwt', jwt: { issuer: jwt.issuer, audiences: jwt.audience } })
    : undefined;
  for (const route of API_ROUTES) {
    const guarded = authorizer && !PUBLIC_ROUTES.includes(route);
    api.route(route, http.arn, guarded ? { auth: { jwt: { authorizer: authorizer.id } } } : {});
  }
  for (const route of SLACK_ROUTES) api.route(route, http.arn);
  for (const route of options.console ? CONSOLE_ROUTES : []) {
    const guarded = authorizer && !PUBLIC_CONSOLE_ROUTES.includes(route);
    api.route(route, http.arn, guarded ? { auth: { jwt: { authorizer: authorizer.id } } } : {});
  }

  // A plain function and its own event source mapping rather than queue.subscribe(), whose
  // subscriber adds sqs:GetQueueUrl and exposes no maximum concurrency.
  const worker = new sst.aws.Function('Worker', {
    ...common,
    ...handlerIn(bundleDir, 'worker'),
    timeout: `${workerTimeout} seconds`,
    permissions: [...functionPermissions('worker', targets), ...bedrock, ...tracing.permissions],
  });
  new aws.lambda.EventSourceMapping('WorkerRuns', {
    eventSourceArn: runs.arn,
    functionName: worker.name,
    batchSize: 10,
    // Without it the worker's batchItemFailures are ignored and a whole batch retries.
    functionResponseTypes: ['ReportBatchItemFailures'],
    scalingConfig: { maximumConcurrency: maxConcurrency },
  });

  // Re-enqueues runs whose queue message was lost; core's sweep skips sessions idle under a minute.
  new sst.aws.CronV2('Sweep', {
    schedule: 'rate(5 minutes)',
    function: {
      ...common,
      ...handlerIn(bundleDir, 'sweeper'),
      timeout: '60 seconds',
      permissions: [...functionPermissions('sweeper', targets), ...tracing.permissions],
    },
  });

  const alarmTopic = new aws.sns.Topic('RunsDeadLetterAlarm', {});
  if (options.alarmEmail) {
    new aws.sns.TopicSubscription('RunsDeadLetterAlarmEmail', {
      topic: alarmTopic.arn,
      protocol: 'email',
      endpoint: options.alarmEmail,
    });
  }
  // Any message in the DLQ is a run that needs a person: alarm on the first one.
  new aws.cloudwatch.MetricAlarm('RunsDeadLettered', {
    namespace: 'AWS/SQS',
    metricName: 'ApproximateNumberOfMessagesVisible',
    dimensions: { QueueName: deadLetters.nodes.queue.name },
    statistic: 'Maximum',
    period: 300,
    evaluationPeriods: 1,
    threshold: 0,
    comparisonOperator: 'GreaterThanThreshold',
    treatMissingData: 'notBreaching',
    alarmDescription: 'Baton runs reached the dead-letter queue: see docs/deploy.md (Alarms)',
    alarmActions: [alarmTopic.arn],
  });

  return {
    api: api.url,
    ...(stream ? { stream: stream.url } : {}),
    ...(options.console ? { console: $interpolate`${api.url}/console` } : {}),
    table: table.name,
    runQueue: runs.url,
    deadLetterQueue: deadLetters.url,
    alarmTopic: alarmTopic.arn,
  };
}
