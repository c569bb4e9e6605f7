import { callTools, ManualClock, reply, ScriptedModel } from '@baton/testing';
import { defineAgent } from '../src/agent.js';
import type { FetchOptions } from '../src/app/app-fetch.js';
import type { ChannelFactory } from '../src/app/channel.js';
import { type AppHost, type BatonApp, createBatonApp } from '../src/app/create-app.js';
import { defineBaton } from '../src/app/define-baton.js';
import { generateApiKey } from '../src/auth/api-keys.js';
import type { AuthConfig, Scope } from '../src/auth/identity.js';
import type { Logger } from '../src/logger.js';
import { MemoryStore } from '../src/memory-store.js';
import { ArrayQueue, Counter, testTools } from './kit.js';

/** A logger that keeps its lines, for tests that read what an app announced at start. */
export function recordingLogger(): Logger & { lines: { level: string; message: string }[] } {
  const lines: { level: string; message: string }[] = [];
  const log = (level: string) => (message: string) => void lines.push({ level, message });
  const logger = {
    lines,
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: () => logger,
  };
  return logger;
}

export interface AuthApp {
  app: BatonApp;
  store: MemoryStore;
  queue: ArrayQueue;
  clock: ManualClock;
  logger: ReturnType<typeof recordingLogger>;
  /** `app.fetch` with a deadline far enough away for any run. */
  fetch(request: Request, options?: FetchOptions): Promise<Response>;
  /** A new key for a tenant with these scopes, stored. */
  key(tenant: string, scopes?: Scope[]): Promise<string>;
  /** What a refused request must leave as it was: commits, sessions, keys and queued runs. */
  snapshot(): Promise<string>;
}

/**
 * An app on the in-memory store whose agent answers every message, and asks for approval when the
 * message says "email" (so the approvals route has a call to decide).
 */
export function authApp(
  auth: AuthConfig | undefined,
  host: Partial<AppHost> = {},
  channels: readonly ChannelFactory[] = [],
): AuthApp {
  const clock = new ManualClock();
  const store = new MemoryStore();
  const queue = new ArrayQueue();
  const logger = recordingLogger();
  // Asks to send an email when the last message is a user's that mentions one, else answers.
  const model = new ScriptedModel((request) => {
    const last = request.messages.at(-1);
    return last?.role === 'user' && JSON.stringify(last).includes('email')
      ? callTools([{ name: 'send_email', args: { to: 'bob' }, callId: 'e1' }])
      : reply('ok');
  });
  const agent = defineAgent({
    name: 'helper',
    instructions: 'Help.',
    model,
    tools: testTools(new Counter()),
  });
  const app = createBatonApp(
    defineBaton({ agents: [agent], channels, ...(auth !== undefined ? { auth } : {}) }),
    {
      store,
      queue,
      clock,
      env: {},
      logger,
      ...host,
    },
  );
  return {
    app,
    store,
    queue,
    clock,
    logger,
    fetch: (request, options = {}) => app.fetch(request, { deadline: clock.now() + 600_000, ...options }),
    async key(tenant, scopes) {
      const { key, record } = generateApiKey({ tenant, ...(scopes ? { scopes } : {}) }, clock);
      await store.apiKeys.createApiKey(record);
      return key;
    },
    async snapshot() {
      const tenants = ['default', 'acme', 'globex'];
      const lists = await Promise.all(tenants.map((tenant) => store.list({ tenant })));
      const keys = await store.apiKeys.listApiKeys();
      return JSON.stringify({ commits: store.stats.commits, lists, keys, queued: queue.messages.length });
    },
  };
}
