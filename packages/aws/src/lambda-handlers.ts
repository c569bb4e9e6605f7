import {
  type Agent,
  type Baton,
  type Clock,
  createBaton,
  jsonLogger,
  type Logger,
  type RunQueue,
  type SessionStore,
} from '@baton/core';
import type { SlackChannel } from '@baton/slack';
import { slackChannelFromEnvironment } from '@baton/slack';
import { DynamoStore } from '@baton/store-dynamodb';
import { createHttpHandler, type HttpHandler, type HttpHandlerOptions } from './http-handler.js';
import { invocationLogger } from './invocation-log.js';
import { SqsRunQueue } from './sqs-run-queue.js';
import { createSqsWorker, type SqsWorker, type SqsWorkerOptions } from './sqs-worker.js';
import { createSweeper, type Sweeper, type SweeperOptions } from './sweeper.js';

/**
 * On Lambda the HTTP run goes on inline for up to API Gateway's 30 s; its safety-net run message
 * becomes visible after that, so the worker normally finds the run done instead of a held lease.
 */
export const DEFAULT_LAMBDA_SAFETY_NET_DELAY_MS = 30_000;

export interface LambdaHandlersOptions {
  agents: Agent[];
  defaultAgent?: string;
  /** Default: DynamoStore on `BATON_TABLE`, retention from `BATON_TTL_SECONDS`. */
  store?: SessionStore;
  /** Default: SqsRunQueue on `BATON_QUEUE_URL`. */
  queue?: RunQueue;
  clock?: Clock;
  /** Wrapped so every line carries the invocation (and SQS message) id. Default: JSON lines on stderr. */
  logger?: Logger;
  /** Default `BATON_SAFETY_NET_DELAY_MS`, else DEFAULT_LAMBDA_SAFETY_NET_DELAY_MS. */
  safetyNetDelayMs?: number;
  http?: HttpHandlerOptions;
  worker?: SqsWorkerOptions;
  sweeper?: SweeperOptions;
  /** Where configuration is read from; default `process.env`. */
  env?: Record<string, string | undefined>;
}

export interface LambdaHandlers {
  baton: Baton;
  /** Configured by SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN: the Slack routes and Slack-aware runs. */
  slack: SlackChannel | undefined;
  /** API Gateway HTTP API (payload 2.0) and Function URL events. */
  http: HttpHandler;
  /** SQS event source with ReportBatchItemFailures. */
  worker: SqsWorker;
  /** A schedule (EventBridge) for `baton.sweep()`. */
  sweeper: Sweeper;
}

/**
 * One Baton for a Lambda deployment and its three handlers, configured from the environment where
 * the options leave it open. Built once per cold start.
 *
 * @example
 * const { http } = createLambdaHandlers({ agents: [createExampleAgent(model)] });
 * export const handler = http;
 */
export function createLambdaHandlers(options: LambdaHandlersOptions): LambdaHandlers {
  const env = options.env ?? process.env;
  const logger = invocationLogger(
    options.logger ??
      jsonLogger({
        base: {
          service: 'baton',
          ...(env.AWS_LAMBDA_FUNCTION_NAME ? { function: env.AWS_LAMBDA_FUNCTION_NAME } : {}),
        },
      }),
  );
  const ttlSeconds = intFromEnv(env, 'BATON_TTL_SECONDS');
  const store =
    options.store ??
    new DynamoStore({
      ...(env.BATON_TABLE ? { tableName: env.BATON_TABLE } : {}),
      ...(ttlSeconds !== undefined ? { ttlSeconds } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
    });
  const queue =
    options.queue ??
    new SqsRunQueue({
      ...(env.BATON_QUEUE_URL ? { queueUrl: env.BATON_QUEUE_URL } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
    });
  const baton = createBaton({
    store,
    queue,
    agents: options.agents,
    logger,
    safetyNetDelayMs:
      options.safetyNetDelayMs ??
      intFromEnv(env, 'BATON_SAFETY_NET_DELAY_MS') ??
      DEFAULT_LAMBDA_SAFETY_NET_DELAY_MS,
    ...(options.defaultAgent ? { defaultAgent: options.defaultAgent } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const deadLetterQueueUrl = options.worker?.deadLetterQueueUrl ?? (env.BATON_DLQ_URL || undefined);
  const idleForMs = options.sweeper?.idleForMs ?? intFromEnv(env, 'BATON_SWEEP_IDLE_MS');
  const slack = slackChannelFromEnvironment(baton, env);
  return {
    baton,
    slack,
    http: createHttpHandler(baton, { ...options.http, ...(slack ? { slack } : {}) }),
    worker: createSqsWorker(baton, {
      ...options.worker,
      ...(deadLetterQueueUrl ? { deadLetterQueueUrl } : {}),
      ...(slack ? { slack } : {}),
    }),
    sweeper: createSweeper(baton, { ...options.sweeper, ...(idleForMs !== undefined ? { idleForMs } : {}) }),
  };
}

function intFromEnv(env: Record<string, string | undefined>, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0)
    throw new Error(`${name} must be a non-negative integer, got ${raw}`);
  return value;
}
