import {
  type BatonApp,
  type BatonDefinition,
  createBatonApp,
  defineBaton,
  type Json,
  type JsonObject,
  MemoryStore,
  type Model,
  type RunMessage,
  type SessionView,
  silentLogger,
} from '@baton/core';

/** Longer than any agent's default reservation before a model call or tool. */
const TEST_BUDGET_MS = 10 * 60_000;

export interface TestApp {
  app: BatonApp;
  /** Run messages the app enqueued (each run also happens inline, as on the local server). */
  enqueued: RunMessage[];
  /**
   * Sends one message over the app's HTTP API and waits for the run: the reply and the session;
   * with `output` (a JSON Schema, `{ schema, name? }`), the run's own output schema and its result.
   */
  send(
    sessionId: string,
    text: string,
    options?: { output?: { schema: JsonObject; name?: string } },
  ): Promise<{ state: string; reply: string | null; output?: Json; session: SessionView }>;
  /** Approves or rejects a pending tool call, then runs the session until it settles again. */
  decide(sessionId: string, callId: string, approved: boolean): Promise<SessionView>;
}

/**
 * A user's app in a test: every agent on the given model (a ScriptedModel), sessions in memory, runs
 * inline. Exercise it through the same HTTP API a client uses, as the local identity (the app's
 * `auth` is left out: it is the hosts' business, tested with them).
 *
 * @example
 * import config from '../baton.config.js';
 * const t = testApp(config, { model: new ScriptedModel([callTools([{ name: 'lookup_order', args: { orderId: '42' } }]), reply('Shipped.')]) });
 * const { reply: answer } = await t.send('s1', 'where is order 42?');
 */
export function testApp(
  definition: BatonDefinition,
  options: { model: Model; env?: Record<string, string> },
): TestApp {
  const enqueued: RunMessage[] = [];
  // The test is the app's own caller (the local identity): its auth is for the app's hosts.
  const { auth: _auth, ...config } = definition.config;
  const app = createBatonApp(
    defineBaton({
      ...config,
      agents: definition.config.agents.map((agent) => ({ ...agent, model: options.model })),
    }),
    {
      store: new MemoryStore(),
      queue: { enqueue: async (message) => void enqueued.push(message) },
      logger: silentLogger,
      env: options.env ?? {},
    },
  );
  const ref = (sessionId: string) => ({ tenant: 'default', sessionId });
  return {
    app,
    enqueued,
    async send(sessionId, text, options = {}) {
      // A test has all the time it needs: the run never hands over to the queue for lack of it.
      const response = await app.fetch(
        new Request(`http://test/sessions/${encodeURIComponent(sessionId)}/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ text, ...(options.output ? { output: options.output } : {}) }),
        }),
        { deadline: Date.now() + TEST_BUDGET_MS },
      );
      const body = (await response.json()) as {
        state: string;
        reply: string | null;
        output?: Json;
        session: SessionView;
      };
      if (response.status >= 400)
        throw new Error(`the app answered ${response.status}: ${JSON.stringify(body)}`);
      const output = body.output !== undefined ? { output: body.output } : {};
      return { state: body.state, reply: body.reply, ...output, session: body.session };
    },
    async decide(sessionId, callId, approved) {
      // The test decides as an approver of the session's tenant under the default policy.
      const identity = {
        tenant: ref(sessionId).tenant,
        user: 'test:approver',
        scopes: ['approve' as const],
        via: 'local' as const,
      };
      await app.baton.decide(ref(sessionId), { callId, approved, identity });
      await app.baton.run(ref(sessionId), { deadline: Date.now() + TEST_BUDGET_MS });
      return app.baton.session(ref(sessionId));
    },
  };
}
