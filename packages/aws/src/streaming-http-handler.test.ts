import {
  ConfigurationError,
  createBatonApp,
  defineBaton,
  MemoryStore,
  type Route,
  silentLogger,
} from '@baton/core';
import { ManualClock, ScriptedModel } from '@baton/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLambdaHandlers } from './lambda-handlers.js';
import { createStreamingHttpHandler } from './streaming-http-handler.js';
import { httpEvent } from './test-support/fixtures.js';
import { lambdaContext } from './test-support/lambda-context.js';
import { installStreamingRuntime } from './test-support/lambda-streaming-runtime.js';
import { RecordingQueue, testAgent } from './test-support/test-baton.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * A host route whose body the test drives: `GET /ticks` sends "tick 1", then waits for the test to
 * open the gate before "tick 2" and the end; `GET /empty` answers 204 with a cookie.
 */
function tickRoute(log: string[]) {
  let openGate!: () => void;
  const gate = new Promise<void>((resolve) => {
    openGate = () => {
      log.push('gate opened');
      resolve();
    };
  });
  const route: Route = {
    specs: [
      { method: 'GET', path: '/ticks', access: 'public', owner: 'ticks' },
      { method: 'GET', path: '/empty', access: 'public', owner: 'ticks' },
    ],
    async fetch(request) {
      if (new URL(request.url).pathname === '/empty') {
        return new Response(null, { status: 204, headers: { 'set-cookie': 'seen=1; Path=/' } });
      }
      const body = new ReadableStream<Uint8Array>({
        async start(controller) {
          controller.enqueue(encoder.encode('data: tick 1\n\n'));
          await gate;
          controller.enqueue(encoder.encode('data: tick 2\n\n'));
          controller.close();
        },
        cancel() {
          log.push('app stream cancelled');
        },
      });
      return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
    },
  };
  return { route, openGate: () => openGate() };
}

describe('createStreamingHttpHandler', () => {
  let runtime: ReturnType<typeof installStreamingRuntime>;
  beforeEach(() => {
    runtime = installStreamingRuntime();
  });
  afterEach(() => runtime.uninstall());

  const setup = () => {
    const log: string[] = [];
    const ticks = tickRoute(log);
    const clock = new ManualClock();
    const app = createBatonApp(defineBaton({ agents: [testAgent(new ScriptedModel([]))], auth: 'none' }), {
      store: new MemoryStore(),
      queue: new RecordingQueue(),
      clock,
      logger: silentLogger,
      env: {},
      routes: [ticks.route],
    });
    const handler = createStreamingHttpHandler(app, { safetyMarginMs: 1_000 });
    const invokeEvent = (event: unknown) =>
      runtime.invoke(handler, event, lambdaContext({ clock, budgetMs: 60_000 }));
    const invoke = (path: string) =>
      invokeEvent(httpEvent('function-url', { method: 'GET', path, body: undefined }));
    return { log, invoke, invokeEvent, openGate: ticks.openGate };
  };

  it('passes each chunk to the client when the app writes it, before the response ends', async () => {
    const { log, invoke, openGate } = setup();
    const invocation = invoke('/ticks');
    void invocation.done.then(() => log.push('invocation ended'));
    const response = await invocation.response;
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/event-stream');
    const reader = response.body.getReader();
    const first = await reader.read();
    log.push(`client got ${decoder.decode(first.value).trim()}`);
    openGate();
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      rest += decoder.decode(chunk.value);
    }
    log.push(`client got ${rest.trim()}`);
    await invocation.done;
    expect(log).toEqual([
      'client got data: tick 1',
      'gate opened',
      'client got data: tick 2',
      'invocation ended',
    ]);
  });

  it('sends the status, headers and cookies of an empty response in the prelude', async () => {
    const { invoke } = setup();
    const invocation = invoke('/empty');
    const response = await invocation.response;
    await invocation.done;
    expect(response.status).toBe(204);
    expect(response.cookies).toEqual(['seen=1; Path=/']);
    expect(await new Response(response.body).text()).toBe('');
  });

  it('answers the JSON API through the same prelude', async () => {
    const { invoke } = setup();
    const invocation = invoke('/healthz');
    const response = await invocation.response;
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/application\/json/);
    expect(JSON.parse(await new Response(response.body).text())).toMatchObject({ ok: true });
    await invocation.done;
  });

  it('answers a malformed event itself with a 400 prelude', async () => {
    const { invokeEvent } = setup();
    const event: Record<string, unknown> = {
      ...httpEvent('function-url', { method: 'GET', path: '/ticks' }),
    };
    delete event.version;
    const invocation = invokeEvent(event);
    const response = await invocation.response;
    expect(response.status).toBe(400);
    expect(JSON.parse(await new Response(response.body).text()).error.code).toBe('unsupported_event');
    await invocation.done;
  });

  it('cancels the app stream when the client goes away', async () => {
    const { log, invoke } = setup();
    const invocation = invoke('/ticks');
    const reader = (await invocation.response).body.getReader();
    await reader.read();
    await reader.cancel();
    await expect(invocation.done).rejects.toThrow();
    expect(log).toContain('app stream cancelled');
  });

  it('refuses to build outside the Lambda runtime, where awslambda is not defined', () => {
    runtime.uninstall();
    const app = createBatonApp(defineBaton({ agents: [testAgent(new ScriptedModel([]))], auth: 'none' }), {
      store: new MemoryStore(),
      queue: new RecordingQueue(),
      logger: silentLogger,
      env: {},
    });
    expect(() => createStreamingHttpHandler(app)).toThrow(ConfigurationError);
  });

  it('is the stream handler of createLambdaHandlers in the Lambda runtime, and absent outside it', async () => {
    const definition = defineBaton({ agents: [testAgent(new ScriptedModel([]))], auth: 'none' });
    const host = { store: new MemoryStore(), queue: new RecordingQueue(), env: {}, logger: silentLogger };
    const { stream } = createLambdaHandlers(definition, host);
    expect(stream).toBeDefined();
    const invocation = runtime.invoke(
      stream,
      httpEvent('function-url', { method: 'GET', path: '/healthz', body: undefined }),
      lambdaContext({ clock: new ManualClock(), budgetMs: 10_000 }),
    );
    expect(JSON.parse(await new Response((await invocation.response).body).text())).toEqual({ ok: true });
    await invocation.done;
    runtime.uninstall();
    expect(createLambdaHandlers(definition, host).stream).toBeUndefined();
  });
});
