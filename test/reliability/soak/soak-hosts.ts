import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type Agent, type Baton, createBaton, isBatonError, isRetryable, silentLogger } from '@baton/core';
import { DynamoStore } from '@baton/store-dynamodb';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { type FaultPlan, injectDynamoFaults } from '../../../packages/testing/src/faults/index.js';
import { ScriptedModel } from '../../../packages/testing/src/scripted-model.js';
import { contentionAgent, contentionTurn } from '../agent/contention-agent.js';
import { type ExecutionCounter, reliabilityAgent } from '../agent/reliability-agent.js';
import { singleTurnAgent } from '../agent/single-turn-agent.js';
import { dynamoConfig } from '../support/store-spec.js';
import type { StepMetrics } from './soak-metrics.js';
import type { SoakQueue } from './soak-queue.js';

/** One "host" of the soak: its own DynamoDB client (with injected faults), store, Baton and queue workers. */
export interface SoakHost {
  name: string;
  baton: Baton;
  plan: FaultPlan;
  client: DynamoDBClient;
  stats: { handled: number; busy: number; retried: number; errors: Record<string, number> };
}

export interface HostOptions {
  name: string;
  endpoint: string;
  tableName: string;
  queue: SoakQueue;
  counter: ExecutionCounter;
  metrics: StepMetrics;
  faultRate: number;
  seed: number;
  leaseMs: number;
}

export function startHost(options: HostOptions): SoakHost {
  const client = new DynamoDBClient({
    ...dynamoConfig(options.endpoint),
    // The SDK's own retries, with short backoff: a soak measures the loop, not retry sleeps.
    retryStrategy: new ConfiguredRetryStrategy(3, () => 20),
  });
  const plan = injectDynamoFaults(client, { rate: options.faultRate, seed: options.seed });
  const store = options.metrics.measure(new DynamoStore({ client, tableName: options.tableName }));
  const thinking = () => 5 + Math.floor(Math.random() * 20);
  const timed = (agent: Agent): Agent => ({
    ...agent,
    model: options.metrics.timed(agent.model, thinking),
    timing: { leaseMs: options.leaseMs, modelCallMs: 2_000 },
  });
  const agents = [
    timed(singleTurnAgent(options.counter, 'chat')),
    timed(reliabilityAgent({ recorder: options.counter })),
    timed(contentionAgent({ leaseMs: options.leaseMs, model: new ScriptedModel(contentionTurn) })),
  ];
  const baton = createBaton({
    store,
    agents,
    queue: options.queue,
    logger: silentLogger,
    safetyNetDelayMs: 2_000,
  });
  return { name: options.name, baton, plan, client, stats: { handled: 0, busy: 0, retried: 0, errors: {} } };
}

/** A queue worker, as Lambda runs one per message: handle, then acknowledge, delay or retry. */
export async function work(host: SoakHost, queue: SoakQueue, running: () => boolean): Promise<void> {
  while (running()) {
    const item = queue.receive(60_000);
    if (!item) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      continue;
    }
    try {
      // Room for the longest step: a tool reserves its 30 s timeout before it starts.
      const result = await host.baton.handle(item.message, { deadline: Date.now() + 120_000 });
      host.stats.handled++;
      if (result.kind === 'retry_later') {
        host.stats.busy++;
        queue.retry(item, Math.min(result.delayMs, 2_000));
      } else {
        queue.ack(item);
      }
    } catch (error) {
      const code = isBatonError(error) ? error.code : (error as Error).name;
      host.stats.errors[code] = (host.stats.errors[code] ?? 0) + 1;
      if (!isRetryable(error) || item.receives >= 20) queue.deadLetter(item, code);
      else {
        host.stats.retried++;
        queue.retry(item, 50 * item.receives);
      }
    }
  }
}
