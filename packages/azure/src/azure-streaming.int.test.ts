import { randomUUID } from 'node:crypto';
import { Agent } from 'node:https';
import azureFunctions from '@azure/functions';
import {
  type BatonApp,
  createBatonApp,
  defineBaton,
  type RunQueue,
  sessionRef,
  silentLogger,
} from '@baton/core';
import { createExampleAgent } from '@baton/example-agent';
import { openAICompatibleModel } from '@baton/model-openai';
import { CosmosStore } from '@baton/store-cosmos';
import { type GatedChatFake, startGatedChatFake } from '@baton/testing';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { createHttpHandler } from './http-handler.js';
import { hostResponse } from './http-stream-host.js';
import { createRunQueueHandler } from './queue-handlers.js';
import { QueueHostEmulation } from './queue-host-emulation.js';
import { StorageQueueRunQueue } from './storage-queue-run-queue.js';
import { fixtureRequest, invocationContext } from './test-fixtures.js';

// @azure/functions is CommonJS: the classes come through the default import under Node's ESM loader.
const { HttpRequest } = azureFunctions;

const ANSWER = 'Milk and eggs are on your list.';
const ref = sessionRef('default', 'chat-1');
const connectionString = inject('azuriteQueueConnection');

/** The `data:` payloads of an SSE text, parsed (`[DONE]` kept as a string). */
function sseData(text: string): unknown[] {
  return text
    .split('\n\n')
    .flatMap((frame) => frame.split('\n').filter((line) => line.startsWith('data: ')))
    .map((line) => line.slice('data: '.length))
    .map((data) => (data === '[DONE]' ? data : JSON.parse(data)));
}

/** The ids the stream gave its frames, in order (what EventSource keeps as Last-Event-ID). */
function sseIds(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('id: '))
    .map((line) => line.slice('id: '.length));
}

/**
 * A stream id as a sortable tuple: `8.2` (event 8 in part) comes before `8` (all of it), which
 * comes before `8:s` and `8:42` (the model call in flight after event 8, 42 characters of its text).
 */
function idOrder(id: string): number[] {
  const [, through, chunk, step] = /^(\d+)(?:\.(\d+))?(?::(s|\d+))?$/.exec(id)!;
  const stepOrder = step === undefined ? -1 : step === 's' ? 0 : Number(step) + 1;
  return [Number(through), chunk === undefined ? 1 : 0, Number(chunk ?? 0), stepOrder];
}

function ascending(a: number[], b: number[]): boolean {
  const index = a.findIndex((value, i) => value !== b[i]);
  return index >= 0 && a[index]! < b[index]!;
}

const textDeltas = (chunks: unknown[]) =>
  chunks
    .filter(
      (chunk): chunk is { type: 'text-delta'; delta: string } =>
        (chunk as { type?: string }).type === 'text-delta',
    )
    .map((chunk) => chunk.delta);

/**
 * The run queue trigger runs the model on one instance (one app) while the HTTP trigger on another
 * follows the session, on the Cosmos DB API server and Azurite: the deltas can only reach the
 * follower through Cosmos DB's live record, and the host hands them on as they come.
 */
describe('a session streamed by the HTTP trigger while the queue trigger runs the model', () => {
  let model: GatedChatFake;
  beforeEach(async () => {
    model = await startGatedChatFake(ANSWER);
  });
  afterEach(async () => {
    model.release();
    await model.close();
  });

  it('shows text deltas before the answer is committed, and they add up to the committed answer', async () => {
    const queue = new StorageQueueRunQueue({
      queueName: `runs-${randomUUID().slice(0, 8)}`,
      connectionString,
    });
    await queue.createIfNotExists();
    const container = `stream-${randomUUID()}`;
    const instance = async (): Promise<BatonApp> => {
      const store = new CosmosStore({
        clientOptions: {
          endpoint: inject('cosmosEndpoint'),
          key: inject('cosmosKey'),
          // The server's certificate is self-signed: only this client trusts it.
          agent: new Agent({ rejectUnauthorized: false }),
        },
        database: 'baton-azure-test',
        container,
      });
      await store.ensureContainer();
      const runs: RunQueue = queue;
      return createBatonApp(
        defineBaton({
          agents: [
            createExampleAgent(
              openAICompatibleModel({ baseURL: model.baseURL, model: 'gpt-test', apiKey: 'test' }),
            ),
          ],
          auth: 'none',
        }),
        // The input's run message is visible at once, for the queue trigger below.
        { store, queue: runs, logger: silentLogger, env: {}, safetyNetDelayMs: 0 },
      );
    };
    const front = await instance();
    const back = await instance();

    // 9 s less the 5 s margin leaves no room for a model call: the input is left to the queue.
    const posted = await createHttpHandler(front, { timeoutMs: 9_000 })(
      fixtureRequest('post-message', { body: JSON.stringify({ text: 'list?' }) }),
      invocationContext(),
    );
    expect(posted.status).toBe(202);

    const init = await createHttpHandler(front, { timeoutMs: 120_000 })(
      new HttpRequest({
        method: 'GET',
        url: 'https://baton-func.azurewebsites.net/api/sessions/chat-1/stream?until=finished',
        headers: { accept: 'text/event-stream' },
      }),
      invocationContext(),
    );
    const response = hostResponse(init);
    expect(response.status).toBe(200);

    const host = new QueueHostEmulation(
      queue.client,
      createRunQueueHandler(back, { queue, timeoutMs: 120_000, maxDequeueCount: 5 }),
      5,
    );
    const item = await host.receive();
    expect(item).toBeDefined();
    const delivered = host.deliver(item!);
    await model.halfway;

    // Read until the first text delta: it can only have come through the store's live record.
    const chunks = response.chunks[Symbol.asyncIterator]();
    const decoder = new TextDecoder();
    let text = '';
    while (textDeltas(sseData(text)).length === 0) {
      const chunk = await chunks.next();
      expect(chunk.done).toBe(false);
      text += decoder.decode(chunk.value as Uint8Array, { stream: true });
    }
    const committedBefore = (await back.baton.events(ref)).filter((e) => e.kind === 'model_response');
    expect(committedBefore).toEqual([]);

    model.release();
    for (let chunk = await chunks.next(); !chunk.done; chunk = await chunks.next()) {
      text += decoder.decode(chunk.value, { stream: true });
    }
    expect(await delivered).toBe('completed');

    const all = sseData(text);
    expect(all.at(-1)).toBe('[DONE]');
    expect(await back.baton.session(ref)).toMatchObject({ status: 'idle', lastReply: ANSWER });
    expect(textDeltas(all).join('')).toBe(ANSWER);
    await queue.client.delete();
  });
  it('gives a client that drops mid-answer and comes back with Last-Event-ID the rest once, in order', async () => {
    const queue = new StorageQueueRunQueue({
      queueName: `runs-${randomUUID().slice(0, 8)}`,
      connectionString,
    });
    await queue.createIfNotExists();
    const container = `stream-${randomUUID()}`;
    const instance = async (): Promise<BatonApp> => {
      const store = new CosmosStore({
        clientOptions: {
          endpoint: inject('cosmosEndpoint'),
          key: inject('cosmosKey'),
          agent: new Agent({ rejectUnauthorized: false }),
        },
        database: 'baton-azure-test',
        container,
      });
      await store.ensureContainer();
      return createBatonApp(
        defineBaton({
          agents: [
            createExampleAgent(
              openAICompatibleModel({ baseURL: model.baseURL, model: 'gpt-test', apiKey: 'test' }),
            ),
          ],
          auth: 'none',
        }),
        { store, queue, logger: silentLogger, env: {}, safetyNetDelayMs: 0 },
      );
    };
    const front = await instance();
    const back = await instance();
    const ref2 = sessionRef('default', 'chat-2');
    const posted = await createHttpHandler(front, { timeoutMs: 9_000 })(
      fixtureRequest('post-message', {
        path: '/api/sessions/chat-2/messages',
        body: JSON.stringify({ text: 'list?' }),
      }),
      invocationContext(),
    );
    expect(posted.status).toBe(202);
    const follow = async (headers: Record<string, string> = {}, query = '') =>
      hostResponse(
        await createHttpHandler(front, { timeoutMs: 120_000 })(
          new HttpRequest({
            method: 'GET',
            url: `https://baton-func.azurewebsites.net/api/sessions/chat-2/stream?until=finished${query}`,
            headers: { accept: 'text/event-stream', ...headers },
          }),
          invocationContext(),
        ),
      );

    // From the session's start (`after=0`), so the whole stream can be compared with a replay.
    const first = await follow({}, '&after=0');
    expect(first.status).toBe(200);
    const host = new QueueHostEmulation(
      queue.client,
      createRunQueueHandler(back, { queue, timeoutMs: 120_000, maxDequeueCount: 5 }),
      5,
    );
    const item = await host.receive();
    expect(item).toBeDefined();
    const delivered = host.deliver(item!);
    await model.halfway;
    const decoder = new TextDecoder();
    let before = '';
    while (textDeltas(sseData(before)).length === 0) {
      const chunk = await first.chunks.next();
      expect(chunk.done).toBe(false);
      before += decoder.decode(chunk.value as Uint8Array, { stream: true });
    }
    // The connection drops mid-answer, while the model call is still in flight on the other instance.
    await first.chunks.return(undefined);
    const lastId = sseIds(before).at(-1);
    expect(lastId).toBeDefined();

    const second = await follow({ 'last-event-id': lastId! });
    expect(second.status).toBe(200);
    model.release();
    let after = '';
    for await (const chunk of second.chunks) after += decoder.decode(chunk, { stream: true });
    expect(await delivered).toBe('completed');

    expect(sseData(after).at(-1)).toBe('[DONE]');
    expect(sseData(before)).not.toContain('[DONE]');
    const ids = [...sseIds(before), ...sseIds(after)];
    for (let i = 1; i < ids.length; i++) {
      expect(ascending(idOrder(ids[i - 1]!), idOrder(ids[i]!)), `${ids[i - 1]} then ${ids[i]}`).toBe(true);
    }
    const all = [...sseData(before), ...sseData(after)];
    expect(textDeltas(all).join('')).toBe(ANSWER);
    expect(await back.baton.session(ref2)).toMatchObject({ status: 'idle', lastReply: ANSWER });
    // Every other chunk (start, text-start/end, finish ...) exactly once, in the order of one
    // uninterrupted stream: the same as a follow from the start now that the run is committed.
    const others = (chunks: unknown[]) =>
      chunks.filter((chunk) => (chunk as { type?: string }).type !== 'text-delta');
    const whole = await follow({}, '&after=0');
    let replayed = '';
    for await (const chunk of whole.chunks) replayed += decoder.decode(chunk, { stream: true });
    expect(others(all)).toEqual(others(sseData(replayed)));
    await queue.client.delete();
  });
});
