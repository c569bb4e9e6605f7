import {
  type AppHost,
  type BatonApp,
  type BatonDefinition,
  type Clock,
  ConfigurationError,
  createBatonApp,
  type Environment,
  integerSetting,
  jsonLogger,
  type Logger,
  type ModelProvider,
  type Route,
  type RunQueue,
  type SessionStore,
} from '@baton/core';
import { DynamoStore } from '@baton/store-dynamodb';
import {
  consoleLoader,
  createHttpHandler,
  type HttpHandler,
  type HttpHandlerOptions,
} from './http-handler.js';
import { invocationLogger } from './invocation-log.js';
import { environmentWithSecrets } from './linked-secrets.js';
import { queueUrlPreferring } from './queue-url.js';
import { sdkClientConfig } from './sdk-client-config.js';
import { SqsRunQueue } from './sqs-run-queue.js';
import { createSqsWorker, type SqsWorker, type SqsWorkerOptions } from './sqs-worker.js';
import {
  createStreamingHttpHandler,
  inLambdaRuntime,
  type StreamingHttpHandler,
} from './streaming-http-handler.js';
import { createSweeper, type Sweeper } from './sweeper.js';

/**
 * On Lambda the HTTP run goes on inline for up to API Gateway's 30 s; its safety-net run message
 * becomes visible after that, so the worker normally finds the run done instead of a held lease.
 */
export const DEFAULT_LAMBDA_SAFETY_NET_DELAY_MS = 30_000;

/** SQS's default-sized redrive policy; BATON_MAX_RECEIVES must equal the queue's maxReceiveCount. */
export const DEFAULT_MAX_RECEIVES = 10;

export interface LambdaHandlersOptions {
  /** Default: DynamoStore on `BATON_TABLE`, retention from `BATON_TTL_SECONDS`. */
  store?: SessionStore;
  /** Default: SqsRunQueue on `BATON_QUEUE_URL`. */
  queue?: RunQueue;
  clock?: Clock;
  /** Wrapped so every line carries the invocation (and SQS message) id. Default: JSON lines on stderr. */
  logger?: Logger;
  /** Where settings are read from; default `process.env`. SST-linked secrets are added either way. */
  env?: Environment;
  /** The model providers the agents' model names need (the bundle passes the packages' `modelProviders`). */
  providers?: readonly ModelProvider[];
  /** Routes tried before the app's own. */
  routes?: readonly Route[];
  /** Default DEFAULT_LAMBDA_SAFETY_NET_DELAY_MS; `BATON_SAFETY_NET_DELAY_MS` wins. */
  safetyNetDelayMs?: number;
  /** Default `BATON_MAX_RECEIVES`, else DEFAULT_MAX_RECEIVES. */
  maxAttempts?: number;
  /** Default `BATON_DLQ_URL`. */
  deadLetterQueueUrl?: string;
  maxBodyBytes?: number;
  http?: HttpHandlerOptions;
  worker?: Omit<SqsWorkerOptions, 'maxAttempts' | 'deadLetterQueueUrl'>;
}

export interface LambdaHandlers {
  app: BatonApp;
  /** API Gateway HTTP API (payload 2.0) and Function URL events, answered whole (buffered). */
  http: HttpHandler;
  /**
   * The same requests through a Function URL in RESPONSE_STREAM mode, bodies streamed as the app
   * writes them (`GET /sessions/{id}/stream`). Undefined outside the Lambda Node.js runtime, whose
   * global `awslambda` it needs (tests install a stand-in).
   */
  stream: StreamingHttpHandler | undefined;
  /** SQS event source with ReportBatchItemFailures. */
  worker: SqsWorker;
  /** A schedule (EventBridge) for `app.sweep()`. */
  sweeper: Sweeper;
}

/**
 * One app for a Lambda deployment and its three handlers, on DynamoDB and SQS as the environment
 * names them where the options leave it open. Built once per cold start, which stops with a
 * ConfigurationError when the definition declares no `auth` (`'none'` must be said out loud).
 *
 * @example
 * import definition from './baton.config.js';
 * export const handler = createLambdaHandlers(definition, { providers: modelProviders }).http;
 */
export function createLambdaHandlers(
  definition: BatonDefinition,
  options: LambdaHandlersOptions = {},
): LambdaHandlers {
  // Linked secrets into their variables first: the models and Slack read them while the app builds.
  const env = environmentWithSecrets(options.env);
  const logger = invocationLogger(
    options.logger ??
      jsonLogger({
        base: {
          service: 'baton',
          ...(env.AWS_LAMBDA_FUNCTION_NAME ? { function: env.AWS_LAMBDA_FUNCTION_NAME } : {}),
        },
      }),
  );
  const clock = options.clock ? { clock: options.clock } : {};
  const ttlSeconds = integerSetting(env, 'BATON_TTL_SECONDS');
  // Region and credentials as the SDK's chains would find them in Lambda's environment, given.
  const clientConfig = sdkClientConfig();
  const store =
    options.store ??
    new DynamoStore({
      client: clientConfig,
      tableName: required(env, 'BATON_TABLE'),
      ...(ttlSeconds !== undefined ? { ttlSeconds } : {}),
      ...clock,
    });
  const queue =
    options.queue ?? new SqsRunQueue({ queueUrl: required(env, 'BATON_QUEUE_URL'), clientConfig, ...clock });
  const maxAttempts =
    options.maxAttempts ?? integerSetting(env, 'BATON_MAX_RECEIVES') ?? DEFAULT_MAX_RECEIVES;
  if (maxAttempts < 1) {
    throw new ConfigurationError(`BATON_MAX_RECEIVES must be at least 1, got ${maxAttempts}`, {
      setting: 'BATON_MAX_RECEIVES',
    });
  }
  const deadLetterQueueUrl = options.deadLetterQueueUrl ?? (env.BATON_DLQ_URL || undefined);
  const visibilitySeconds =
    options.worker?.heartbeat?.visibilitySeconds ?? integerSetting(env, 'BATON_VISIBILITY_SECONDS');
  if (visibilitySeconds !== undefined && visibilitySeconds < 1) {
    throw new ConfigurationError(`BATON_VISIBILITY_SECONDS must be at least 1, got ${visibilitySeconds}`, {
      setting: 'BATON_VISIBILITY_SECONDS',
    });
  }
  const host: AppHost = {
    // A deployed API answers the internet: a definition without `auth` stops the cold start.
    requireAuth: true,
    store,
    queue,
    env,
    logger,
    safetyNetDelayMs: options.safetyNetDelayMs ?? DEFAULT_LAMBDA_SAFETY_NET_DELAY_MS,
    ...clock,
    ...(options.providers ? { providers: options.providers } : {}),
    ...(options.routes ? { routes: options.routes } : {}),
    ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {}),
  };
  const app = createBatonApp(definition, host);
  // BATON_CONSOLE set: the console loads on its first request (it decides whether it is on).
  const hostedConsole = env.BATON_CONSOLE ? { console: consoleLoader(definition, host) } : {};
  const httpOptions = { ...options.http, ...hostedConsole };
  return {
    app,
    http: createHttpHandler(app, httpOptions),
    stream: inLambdaRuntime() ? createStreamingHttpHandler(app, httpOptions) : undefined,
    worker: createSqsWorker(app, {
      queueUrl: queueUrlPreferring(env.BATON_QUEUE_URL),
      ...options.worker,
      ...(visibilitySeconds !== undefined
        ? { heartbeat: { ...options.worker?.heartbeat, visibilitySeconds } }
        : {}),
      maxAttempts,
      ...(deadLetterQueueUrl ? { deadLetterQueueUrl } : {}),
    }),
    sweeper: createSweeper(app),
  };
}

function required(env: Environment, name: string): string {
  const value = env[name];
  if (!value) throw new ConfigurationError(`${name} is not set`, { setting: name });
  return value;
}
