import type { Server } from 'node:http';
import {
  type Baton,
  type BatonApp,
  createBatonApp,
  defineAgent,
  defineBaton,
  type RunMessage,
  SCOPES,
  type SessionStore,
  silentLogger,
} from '@baton/core';
import { startHttpServer } from '@baton/dev';
import { callTools, reply, ScriptedModel } from '../../../../packages/testing/src/scripted-model.js';
import { ExecutionCounter } from '../../agent/reliability-agent.js';
import { reliabilityTools } from '../../agent/reliability-tools.js';
import type { Answer } from './corpus.js';

/**
 * The target of the hostile inputs: a store with two sessions worth protecting in `tenant`
 * (one waiting for approval of call mail-ana, one whose call mail-bo was approved), an app
 * whose queue only records, and the local HTTP server in front of it.
 */
export interface CorpusWorld {
  store: SessionStore;
  app: BatonApp;
  /** The app's engine (`app.baton`). */
  baton: Baton;
  url: string;
  enqueued: RunMessage[];
  http(
    method: string,
    path: string,
    options?: { headers?: Record<string, string>; body?: string | Uint8Array },
  ): Promise<Answer>;
  close(): Promise<void>;
}

/** `localOnly`: the app as `baton serve` makes it without auth, answering only a local Host and Origin. */
export async function corpusWorld(
  store: SessionStore,
  tenant = 'default',
  options: { localOnly?: boolean } = {},
): Promise<CorpusWorld> {
  const model = new ScriptedModel((request) => {
    const last = request.messages.at(-1);
    const email = last?.role === 'user' ? /^email (\w+)/.exec(last.content) : null;
    if (email)
      return callTools([
        { name: 'send_email', args: { to: email[1]!, subject: 'hi' }, callId: `mail-${email[1]}` },
      ]);
    return reply('ok');
  });
  const agent = defineAgent({
    name: 'corpus',
    instructions: 'Send emails when asked.',
    model,
    tools: reliabilityTools(new ExecutionCounter()),
    timing: { modelCallMs: 1_000 },
    limits: { compactAfterEvents: 0 },
  });
  const enqueued: RunMessage[] = [];
  const app = createBatonApp(defineBaton({ agents: [agent] }), {
    store,
    queue: { enqueue: async (message) => void enqueued.push(message) },
    clock: { now: () => Date.now() },
    logger: silentLogger,
    env: {},
    ...(options.localOnly ? { localOnly: true } : {}),
  });
  const baton = app.baton;
  const deadline = () => Date.now() + 60_000;
  const victim = { tenant, sessionId: 'victim' };
  await baton.submit(victim, { text: 'email ana', source: 'corpus', dedupeKey: 'http:k-1' });
  await baton.run(victim, { deadline: deadline() });
  const decided = { tenant, sessionId: 'decided' };
  await baton.submit(decided, { text: 'email bo', source: 'corpus' });
  await baton.run(decided, { deadline: deadline() });
  await baton.decide(decided, {
    callId: 'mail-bo',
    approved: true,
    identity: { tenant, user: 'cli:corpus', scopes: SCOPES, via: 'cli' },
  });

  const { server, url } = await startHttpServer(app, {
    host: '127.0.0.1',
    port: 0,
    runBudgetMs: 30_000,
    syncWaitMs: 5_000,
  });
  return {
    store,
    app,
    baton,
    url,
    enqueued,
    async http(method, path, options = {}) {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: options.headers ?? {},
        ...(options.body !== undefined ? { body: options.body } : {}),
      });
      const text = await response.text();
      let code: string | undefined;
      try {
        code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
      } catch {
        code = undefined;
      }
      return { status: response.status, ...(code ? { code } : {}) };
    },
    close: () => closeServer(server),
  };
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
}
