import { createBatonApp, defineBaton, MemoryStore, type Route, silentLogger } from '@baton/core';
import { createExampleAgent } from '@baton/example-agent';
import { ManualClock, ScriptedModel } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { createHttpHandler } from './http-handler.js';
import { hostResponse } from './http-stream-host.js';
import { fixtureRequest, invocationContext } from './test-fixtures.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** `GET /ticks`: an event stream that sends "tick 1", waits for the test's gate, then "tick 2". */
function setup() {
  const log: string[] = [];
  let openGate!: () => void;
  const gate = new Promise<void>((resolve) => {
    openGate = () => {
      log.push('gate opened');
      resolve();
    };
  });
  const route: Route = {
    specs: [{ method: 'GET', path: '/ticks', access: 'public', owner: 'ticks' }],
    async fetch() {
      const body = new ReadableStream<Uint8Array>({
        async start(controller) {
          controller.enqueue(encoder.encode('data: tick 1\n\n'));
          await gate;
          controller.enqueue(encoder.encode('data: tick 2\n\n'));
          controller.close();
        },
      });
      return new Response(body, { headers: { 'content-type': 'text/event-stream; charset=utf-8' } });
    },
  };
  const app = createBatonApp(
    defineBaton({ agents: [createExampleAgent(new ScriptedModel([]))], auth: 'none' }),
    {
      store: new MemoryStore(),
      queue: { enqueue: async () => {} },
      clock: new ManualClock(),
      logger: silentLogger,
      env: {},
      routes: [route],
    },
  );
  const handler = createHttpHandler(app, { timeoutMs: 600_000 });
  return { log, handler, openGate: () => openGate() };
}

describe('createHttpHandler with an event stream', () => {
  it('hands the host each chunk when the app writes it, before the stream ends', async () => {
    const { log, handler, openGate } = setup();
    const init = await handler(fixtureRequest('healthz', { path: '/api/ticks' }), invocationContext());
    log.push('handler returned');
    const response = hostResponse(init);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const chunks = response.chunks[Symbol.asyncIterator]();
    const first = await chunks.next();
    log.push(`client got ${decoder.decode(first.value as Uint8Array).trim()}`);
    openGate();
    const second = await chunks.next();
    log.push(`client got ${decoder.decode(second.value as Uint8Array).trim()}`);
    expect((await chunks.next()).done).toBe(true);
    log.push('stream ended');
    expect(log).toEqual([
      'handler returned',
      'client got data: tick 1',
      'gate opened',
      'client got data: tick 2',
      'stream ended',
    ]);
  });

  it('still reads other bodies whole, as bytes', async () => {
    const { handler } = setup();
    const init = await handler(fixtureRequest('healthz'), invocationContext());
    expect(init.body).toBeInstanceOf(Uint8Array);
    expect(JSON.parse(decoder.decode(init.body as Uint8Array))).toEqual({ ok: true });
  });
});
