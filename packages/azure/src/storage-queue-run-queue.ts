import type { TokenCredential } from '@azure/core-auth';
import {
  QueueClient,
  type StoragePipelineOptions,
  type StorageSharedKeyCredential,
} from '@azure/storage-queue';
import type { RunMessage, RunQueue } from '@baton/core';
import type { Environment } from './host-settings.js';
import { encodeRunMessage } from './run-message.js';

/** Storage queues refuse a visibility timeout beyond 7 days. */
export const MAX_DELAY_MS = 7 * 24 * 60 * 60 * 1000;

export const DEFAULT_QUEUE_NAME = 'baton-runs';

export type StorageQueueRunQueueOptions =
  | { client: QueueClient }
  | { queueName: string; connectionString: string; pipeline?: StoragePipelineOptions }
  | {
      queueName: string;
      /** `https://<account>.queue.core.windows.net` */
      accountUrl: string;
      credential: TokenCredential | StorageSharedKeyCredential;
      pipeline?: StoragePipelineOptions;
    };

/**
 * Inside a function the caller's time is short: fail a stuck request in seconds and let the
 * message (or the HTTP client) retry, instead of the SDK's default of minutes.
 */
const PIPELINE: StoragePipelineOptions = { retryOptions: { maxTries: 3, tryTimeoutInMs: 10_000 } };

/**
 * The RunQueue on Azure Storage Queues, readable by the Functions host's queue trigger.
 *
 * @example
 * const queue = new StorageQueueRunQueue({ queueName: 'baton-runs', connectionString: 'UseDevelopmentStorage=true' });
 * await queue.enqueue({ v: 1, tenant: 'acme', sessionId: 's1', reason: 'continue', dedupeKey: 'continue:acme/s1:7' });
 */
export class StorageQueueRunQueue implements RunQueue {
  readonly client: QueueClient;

  constructor(options: StorageQueueRunQueueOptions) {
    if ('client' in options) this.client = options.client;
    else if ('connectionString' in options) {
      this.client = new QueueClient(options.connectionString, options.queueName, {
        ...PIPELINE,
        ...options.pipeline,
      });
    } else {
      const url = `${options.accountUrl.replace(/\/+$/, '')}/${encodeURIComponent(options.queueName)}`;
      this.client = new QueueClient(url, options.credential, { ...PIPELINE, ...options.pipeline });
    }
  }

  /**
   * The queue from app settings: `BATON_QUEUE_NAME` (default `baton-runs`) and the storage
   * connection the trigger uses (see {@link storageConnectionSetting}), either a connection string
   * or, for identity-based connections, `<setting>__queueServiceUri` / `<setting>__accountName`
   * with `credential`.
   */
  static fromEnvironment(
    env: Environment = process.env,
    options: { credential?: TokenCredential } = {},
  ): StorageQueueRunQueue {
    const queueName = env.BATON_QUEUE_NAME || DEFAULT_QUEUE_NAME;
    const setting = storageConnectionSetting(env);
    const connectionString = env[setting];
    if (connectionString) return new StorageQueueRunQueue({ queueName, connectionString });
    const accountName = env[`${setting}__accountName`];
    const accountUrl =
      env[`${setting}__queueServiceUri`] ??
      (accountName ? `https://${accountName}.queue.core.windows.net` : undefined);
    if (!accountUrl) {
      throw new Error(
        `no storage connection: set ${setting} to a connection string, or ${setting}__queueServiceUri for an identity-based connection`,
      );
    }
    if (!options.credential) {
      throw new Error(
        `${setting}__queueServiceUri needs a credential: pass one (e.g. new DefaultAzureCredential() from @azure/identity)`,
      );
    }
    return new StorageQueueRunQueue({ queueName, accountUrl, credential: options.credential });
  }

  get queueName(): string {
    return this.client.name;
  }

  async enqueue(message: RunMessage, options: { delayMs?: number } = {}): Promise<void> {
    const { delayMs } = options;
    // Beyond the 7 days a queue can hide a message, the body says when it is due (core holds it back).
    const body =
      delayMs !== undefined && delayMs > MAX_DELAY_MS && Number.isFinite(delayMs)
        ? { ...message, notBefore: Date.now() + delayMs }
        : message;
    await this.client.sendMessage(encodeRunMessage(body), {
      visibilityTimeout: delaySeconds(delayMs),
      // A run message that expired unseen would strand its session's work: never expire.
      messageTimeToLive: -1,
    });
  }

  /** Creates the queue if missing (local runs and tests; deployments create it with the infrastructure). */
  async createIfNotExists(): Promise<void> {
    await this.client.createIfNotExists();
  }
}

/**
 * The app setting holding the storage connection, named the way a trigger's `connection` is:
 * `BATON_STORAGE_CONNECTION` when configured in any form, else the host's own `AzureWebJobsStorage`.
 */
export function storageConnectionSetting(env: Environment = process.env): string {
  const own = 'BATON_STORAGE_CONNECTION';
  const configured = [own, `${own}__queueServiceUri`, `${own}__accountName`].some((name) => env[name]);
  return configured ? own : 'AzureWebJobsStorage';
}

/** Whole seconds, rounded up so a message never comes back before the delay is over; capped at 7 days. */
export function delaySeconds(delayMs: number | undefined): number {
  if (delayMs === undefined || !Number.isFinite(delayMs) || delayMs <= 0) {
    return delayMs === Number.POSITIVE_INFINITY ? MAX_DELAY_MS / 1000 : 0;
  }
  return Math.ceil(Math.min(delayMs, MAX_DELAY_MS) / 1000);
}
