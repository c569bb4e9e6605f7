import { randomUUID } from 'node:crypto';
import { Agent } from 'node:https';
import azureFunctions, { type HttpResponseInit } from '@azure/functions';
import { createAzureApp, createHttpHandler, createRunQueueHandler } from '@baton/azure';
import { defineBaton, type RunMessage, type SessionEvent, type SessionView, silentLogger } from '@baton/core';
import { createExampleAgent } from '@baton/example-agent';
import { CosmosStore } from '@baton/store-cosmos';
import { ManualClock } from '@baton/testing';
import { QueueHostEmulation } from '../../packages/azure/src/queue-host-emulation.js';
import { fixtureRequest, invocationContext } from '../../packages/azure/src/test-fixtures.js';
import {
  APPROVAL_REASON,
  APPROVER,
  CALLER_AUTH,
  conversationModel,
  type HostRun,
  IDEMPOTENCY_KEY,
  MESSAGE,
  modelRequests,
  SESSION_ID,
} from './cross-host-conversation.js';
import { CLOUD, MAX_WORKER_INVOCATIONS } from './cross-host-timing.js';

// @azure/functions is CommonJS: the classes come through the default import under Node's ESM loader.
const { HttpRequest } = azureFunctions;

export interface AzureEmulators {
  queueConnection: string;
  cosmosEndpoint: string;
  cosmosKey: string;
}

/**
 * The conversation on Azure Functions: the HTTP handler gets `HttpRequest`s shaped like the host's
 * (the `/api` prefix, captured headers) with a short function timeout; the Storage Queue handler
 * gets the base64 messages the run queue sent to Azurite, decoded the way the host does
 * (QueueHostEmulation), one invocation per message, each with a short timeout; sessions in the
 * Cosmos DB API server. The app is built by createAzureApp, as registerBaton builds it (the
 * Storage Queue run queue from the app settings), with the test's clock and Cosmos store; the
 * handlers are registerBaton's, given the test's short timeouts instead of host.json's.
 */
export async function runOnAzure(emulators: AzureEmulators): Promise<HostRun> {
  const clock = new ManualClock();
  const model = conversationModel(() => clock.advance(CLOUD.modelCallTakesMs));
  const database = 'baton-cross-host';
  const container = `sessions-${randomUUID()}`;
  const store = new CosmosStore({
    clientOptions: {
      endpoint: emulators.cosmosEndpoint,
      key: emulators.cosmosKey,
      // The server's certificate is self-signed: only this client trusts it.
      agent: new Agent({ rejectUnauthorized: false }),
    },
    database,
    container,
    clock,
  });
  await store.ensureContainer();
  const { app, queue } = createAzureApp(
    defineBaton({ agents: [createExampleAgent(model, { timing: CLOUD.timing })], auth: CALLER_AUTH }),
    {
      env: {
        AzureWebJobsStorage: emulators.queueConnection,
        BATON_QUEUE_NAME: `cross-host-${randomUUID().slice(0, 8)}`,
        BATON_SAFETY_NET_DELAY_MS: String(CLOUD.safetyNetDelayMs),
      },
      store,
      clock,
      logger: silentLogger,
    },
  );
  await queue.createIfNotExists();
  try {
    const httpHandler = createHttpHandler(app, { timeoutMs: CLOUD.azureHttpTimeoutMs });
    const worker = new QueueHostEmulation(
      queue.client,
      createRunQueueHandler(app, { queue, timeoutMs: CLOUD.azureQueueTimeoutMs, maxDequeueCount: 5 }),
      5,
    );
    const http = async (request: InstanceType<typeof HttpRequest>) => {
      const response: HttpResponseInit = await httpHandler(request, invocationContext());
      // What a client receives: the body's bytes, as JSON.
      const text = Buffer.from(response.body as Uint8Array).toString('utf8');
      return { status: response.status ?? 200, body: JSON.parse(text || 'null') };
    };
    const path = (rest = '') => `/api/sessions/${SESSION_ID}${rest}`;
    const session = async (): Promise<SessionView> =>
      (await http(fixtureRequest('get-session', { path: path() }))).body.session;

    const workerInvocations: string[][] = [];
    /** Queue invocations until no message is visible; each one completes or the drain fails. */
    const drain = async () => {
      for (let item = await worker.receive(); item; item = await worker.receive()) {
        if (workerInvocations.length >= MAX_WORKER_INVOCATIONS) {
          throw new Error(`the run queue did not drain in ${MAX_WORKER_INVOCATIONS} queue invocations`);
        }
        const message = JSON.parse(Buffer.from(item.messageText, 'base64').toString('utf8')) as RunMessage;
        workerInvocations.push([message.reason]);
        const result = await worker.deliver(item);
        if (result !== 'completed')
          throw new Error(`the queue handler did not complete a message: ${result}`);
      }
    };

    const sent = await http(
      fixtureRequest('post-message', {
        path: path('/messages'),
        body: JSON.stringify({ text: MESSAGE }),
        headers: { 'Idempotency-Key': IDEMPOTENCY_KEY },
      }),
    );
    await drain();
    const waiting = await session();
    const callId = waiting.pendingApprovals[0]?.callId;
    if (!callId) throw new Error(`expected the run to wait for approval; the session is ${waiting.status}`);
    const approved = await http(
      fixtureRequest('post-approval', {
        path: path(`/approvals/${encodeURIComponent(callId)}`),
        body: JSON.stringify({ approved: true, reason: APPROVAL_REASON }),
        headers: { 'X-Baton-User': APPROVER },
      }),
    );
    await drain();
    // The captured request asks for 50 events; the same request for the whole log.
    const captured = fixtureRequest('get-events', { path: path('/events') });
    const url = new URL(captured.url);
    url.searchParams.set('limit', '1000');
    const events = await http(
      new HttpRequest({ method: 'GET', url: url.toString(), headers: Object.fromEntries(captured.headers) }),
    );
    return {
      host: 'azure',
      answers: {
        message: { status: sent.status, state: sent.body.state },
        approval: { status: approved.status },
      },
      events: events.body.events as SessionEvent[],
      session: await session(),
      workerInvocations,
      modelRequests: modelRequests(model),
    };
  } finally {
    await store.client.database(database).container(container).delete();
    await store.close();
    await queue.client.delete();
  }
}
