import {
  type Agent,
  type AgentTiming,
  type AuthConfig,
  type Baton,
  type BatonApp,
  type ChannelFactory,
  createBatonApp,
  defineBaton,
  type Environment,
  MemoryStore,
  type Model,
  type RunMessage,
  type RunQueue,
  type SessionStore,
  silentLogger,
} from '@baton/core';
import { createExampleAgent } from '@baton/example-agent';
import { ManualClock } from '@baton/testing';

/**
 * The example agent (notes, an approval-gated email, an at-most-once ticket) with time budgets a
 * test can reason about: a model call needs 5 s, a tool 1 s.
 */
export function testAgent(model: Model, timing: Partial<AgentTiming> = {}): Agent {
  const agent = createExampleAgent(model);
  return {
    ...agent,
    tools: agent.tools.map((tool) => ({ ...tool, timeoutMs: 1_000 })),
    timing: { modelCallMs: 5_000, leaseMs: 30_000, ...timing },
  };
}

/** A RunQueue that only records what was enqueued (for tests that do not exercise SQS). */
export class RecordingQueue implements RunQueue {
  readonly sent: { message: RunMessage; delayMs: number | undefined }[] = [];
  async enqueue(message: RunMessage, options?: { delayMs?: number }): Promise<void> {
    this.sent.push({ message, delayMs: options?.delayMs });
  }
}

export interface TestApp {
  app: BatonApp;
  baton: Baton;
  clock: ManualClock;
  store: SessionStore;
}

/** The test agent's app on a host of the test's choosing (in-memory store and a recording queue by default). */
export function testApp(options: {
  model: Model;
  queue?: RunQueue;
  store?: SessionStore;
  clock?: ManualClock;
  timing?: Partial<AgentTiming>;
  channels?: ChannelFactory[];
  env?: Environment;
  maxBodyBytes?: number;
  auth?: AuthConfig;
}): TestApp {
  const clock = options.clock ?? new ManualClock();
  const store = options.store ?? new MemoryStore();
  const definition = defineBaton({
    agents: [testAgent(options.model, options.timing)],
    ...(options.channels ? { channels: options.channels } : {}),
    // The tests of routes and deadlines speak for any tenant; the auth tests pass their own mode.
    auth: options.auth ?? 'none',
  });
  const app = createBatonApp(definition, {
    store,
    queue: options.queue ?? new RecordingQueue(),
    clock,
    logger: silentLogger,
    env: options.env ?? {},
    ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {}),
  });
  return { app, baton: app.baton, clock, store };
}
