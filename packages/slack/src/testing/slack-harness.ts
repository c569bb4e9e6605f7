import {
  type Agent,
  type Baton,
  type Clock,
  createBaton,
  type HandleResult,
  MemoryStore,
  type RunMessage,
  type RunQueue,
  type SessionStore,
  silentLogger,
} from '@baton/core';
import { createSlackChannel, type SlackChannel, type SlackChannelOptions } from '../slack-channel.js';
import { handleSlackHttp, type SlackHttpResponse, type SlackRequestKind } from '../slack-http.js';
import { handleSlackRun } from '../slack-worker.js';
import { FakeSlackApi } from './fake-slack-api.js';
import { signedSlackRequest } from './sign-slack-request.js';

/** A clock that moves only when told, so claim windows and timestamps need no sleeps. */
export class TestClock implements Clock {
  constructor(private current = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
}

/** A queue that keeps what was enqueued; `drain` plays the worker. */
export class ArrayRunQueue implements RunQueue {
  readonly messages: { message: RunMessage; delayMs: number }[] = [];
  async enqueue(message: RunMessage, options: { delayMs?: number } = {}): Promise<void> {
    this.messages.push({ message, delayMs: options.delayMs ?? 0 });
  }
}

export interface SlackHarness {
  baton: Baton;
  store: SessionStore;
  queue: ArrayRunQueue;
  clock: TestClock;
  api: FakeSlackApi;
  slack: SlackChannel;
  secret: string;
  /** Sends a correctly signed request through handleSlackHttp. */
  request(body: string, options?: { kind?: SlackRequestKind; retryNum?: number }): Promise<SlackHttpResponse>;
  /** Plays the queue worker until the queue is empty; a delayed message first moves the clock by its delay. */
  drain(options?: { maxMessages?: number }): Promise<HandleResult[]>;
  close(): Promise<void>;
}

/**
 * Baton + the Slack channel + a fake Slack Web API + a captured queue, for tests of the whole Slack
 * flow (here, and for the AWS / Azure / local routes that wrap it).
 */
export async function startSlackHarness(options: {
  agents: Agent[];
  store?: SessionStore;
  channel?: Partial<Omit<SlackChannelOptions, 'baton'>>;
}): Promise<SlackHarness> {
  const clock = new TestClock();
  const queue = new ArrayRunQueue();
  const store: SessionStore = options.store ?? new MemoryStore();
  const api = await FakeSlackApi.start();
  const baton = createBaton({ store, agents: options.agents, queue, clock, logger: silentLogger });
  const secret = 'test-signing-secret';
  const slack = createSlackChannel({
    baton,
    signingSecret: secret,
    botToken: 'xoxb-test-token',
    slackApiUrl: api.url,
    // Progress updates add chat.update calls while a model streams; their own tests turn them on.
    progressEveryMs: 0,
    ...options.channel,
  });
  return {
    baton,
    store,
    queue,
    clock,
    api,
    slack,
    secret,
    request: (body, requestOptions = {}) =>
      handleSlackHttp(
        slack,
        signedSlackRequest(body, { secret, now: clock.now(), ...requestOptions }),
        clock.now(),
      ),
    async drain({ maxMessages = 100 } = {}) {
      const results: HandleResult[] = [];
      for (let handled = 0; queue.messages.length > 0; handled++) {
        if (handled >= maxMessages) throw new Error(`the queue did not drain in ${maxMessages} messages`);
        const { message, delayMs } = queue.messages.shift()!;
        clock.advance(delayMs);
        results.push(await handleSlackRun(slack, message, { deadline: clock.now() + 600_000 }));
      }
      return results;
    },
    async close() {
      await api.close();
      await store.close?.();
    },
  };
}
