import { randomUUID } from 'node:crypto';
import { ChangeMessageVisibilityCommand, DeleteMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { AgentTiming, Baton, BatonApp, Model, SessionStore } from '@baton/core';
import { ManualClock, ScriptedModel, type ScriptedStep } from '@baton/testing';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { SqsRunQueue } from '../sqs-run-queue.js';
import { createSqsWorker, type SqsWorker, type SqsWorkerOptions } from '../sqs-worker.js';
import { lambdaContext } from './lambda-context.js';
import type { SqsEmulator, TestQueue } from './sqs-emulator.js';
import { testApp } from './test-baton.js';

export interface SentCommand {
  name: string;
  input: Record<string, unknown>;
}

export interface WorkerWorld {
  queue: TestQueue;
  dlq: TestQueue | undefined;
  clock: ManualClock;
  app: BatonApp;
  baton: Baton;
  store: SessionStore;
  model: ScriptedModel;
  runQueue: SqsRunQueue;
  worker: SqsWorker;
  /**
   * SQS requests the worker itself made for dispositions (ChangeMessageVisibility, re-sent copies,
   * dead-letter sends), without the visibility heartbeat's beats.
   */
  workerCommands: SentCommand[];
  /** The heartbeat's ChangeMessageVisibility calls (VisibilityTimeout BEAT_SECONDS unless configured). */
  beats: SentCommand[];
  /** One Lambda invocation on what the queue has now; succeeded messages are deleted, as Lambda does. */
  invoke(budgetMs?: number): Promise<{ event: SQSEvent; response: SQSBatchResponse }>;
  /** The same, for an event the test built or kept (a duplicate delivery). */
  deliver(event: SQSEvent, budgetMs?: number): Promise<SQSBatchResponse>;
  /** Makes every in-flight message visible now: the visibility timeout passing, without waiting. */
  expireVisibility(): Promise<void>;
}

export interface WorldOptions {
  script: ScriptedStep[] | ((clock: ManualClock) => ScriptedStep[]);
  fifo?: boolean;
  deadLetterQueue?: boolean;
  timing?: Partial<AgentTiming>;
  store?: SessionStore;
  model?: Model;
  /** The queue's maxReceiveCount. Default 10. */
  maxAttempts?: number;
  /** More worker options (heartbeat, timeoutEarlyMs). */
  worker?: Pick<SqsWorkerOptions, 'heartbeat' | 'timeoutEarlyMs'>;
}

/** The harness's beat length: a value no disposition in these tests uses, so beats can be told apart. */
export const BEAT_SECONDS = 37;

/** A worker on its own fauxqs queue, with a ManualClock, a scripted model and the in-memory store. */
export async function workerWorld(sqs: SqsEmulator, options: WorldOptions): Promise<WorkerWorld> {
  const suffix = options.fifo ? '.fifo' : '';
  const fifoAttributes: Record<string, string> = options.fifo ? { FifoQueue: 'true' } : {};
  const queue = await sqs.createQueue(`runs-${randomUUID()}${suffix}`, fifoAttributes);
  const dlq = options.deadLetterQueue
    ? await sqs.createQueue(`runs-dlq-${randomUUID()}${suffix}`, fifoAttributes)
    : undefined;
  const clock = new ManualClock();
  const model = new ScriptedModel(
    typeof options.script === 'function' ? options.script(clock) : options.script,
  );
  const runQueue = new SqsRunQueue({ queueUrl: queue.url, client: sqs.client, clock });
  const { app, baton, store } = testApp({
    model,
    queue: runQueue,
    clock,
    ...(options.store ? { store: options.store } : {}),
    ...(options.timing ? { timing: options.timing } : {}),
  });
  const workerClient = new SQSClient({
    endpoint: sqs.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  const workerCommands: SentCommand[] = [];
  const beats: SentCommand[] = [];
  // Beats never reach past the invocation here (a minute beyond any test budget), so each one asks
  // for exactly visibilitySeconds; one per invocation unless a test shortens the interval.
  const heartbeat = {
    visibilitySeconds: BEAT_SECONDS,
    intervalMs: 60_000,
    beyondDeadlineMs: 60_000,
    ...options.worker?.heartbeat,
  };
  workerClient.middlewareStack.add(
    (next, context) => async (args) => {
      const command = { name: context.commandName ?? '', input: args.input as Record<string, unknown> };
      const beat =
        command.name === 'ChangeMessageVisibilityCommand' &&
        command.input.VisibilityTimeout === heartbeat.visibilitySeconds;
      (beat ? beats : workerCommands).push(command);
      return next(args);
    },
    { step: 'initialize', name: 'recordCommands' },
  );
  const worker = createSqsWorker(app, {
    maxAttempts: options.maxAttempts ?? 10,
    safetyMarginMs: 1_000,
    client: workerClient,
    queueUrl: () => queue.url,
    ...options.worker,
    heartbeat,
    ...(dlq ? { deadLetterQueueUrl: dlq.url } : {}),
  });

  const deliver = async (event: SQSEvent, budgetMs = 20_000) => {
    const response = (await worker(event, lambdaContext({ clock, budgetMs }))) as SQSBatchResponse;
    const failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
    const succeeded = event.Records.filter((record) => !failed.has(record.messageId));
    if (succeeded.length > 0) {
      await sqs.client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queue.url,
          Entries: succeeded.map((record, index) => ({
            Id: String(index),
            ReceiptHandle: record.receiptHandle,
          })),
        }),
      );
    }
    return response;
  };

  return {
    queue,
    dlq,
    clock,
    app,
    baton,
    store,
    model,
    runQueue,
    worker,
    workerCommands,
    beats,
    deliver,
    async invoke(budgetMs) {
      const event = await sqs.receiveEvent(queue);
      return { event, response: await deliver(event, budgetMs) };
    },
    async expireVisibility() {
      const contents = await sqs.inspect(queue);
      for (const entry of contents.inflight) {
        await sqs.client.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: queue.url,
            ReceiptHandle: entry.receiptHandle,
            VisibilityTimeout: 0,
          }),
        );
      }
    },
  };
}
