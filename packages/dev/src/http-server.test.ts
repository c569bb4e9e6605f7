import type { Server } from 'node:http';
import { connect } from 'node:net';
import { createBatonApp, defineAgent, defineBaton, MemoryStore, type Route, silentLogger } from '@baton/core';
import { reply, ScriptedModel } from '@baton/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { startHttpServer } from './http-server.js';

let server: Server | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

async function serve(routes: Route[] = [], maxBodyBytes?: number): Promise<string> {
  const app = createBatonApp(
    defineBaton({
      agents: [defineAgent({ name: 'a', instructions: '', model: new ScriptedModel([reply('hello')]) })],
    }),
    {
      store: new MemoryStore(),
      queue: { enqueue: async () => {} },
      logger: silentLogger,
      env: {},
      routes,
      // What `baton serve` passes without auth: the local identity, for local Hosts only.
      localOnly: true,
    },
  );
  const started = await startHttpServer(app, {
    host: '127.0.0.1',
    port: 0,
    // Above the agent's default 60 s model-call reservation, so a run finishes in the request.
    runBudgetMs: 300_000,
    syncWaitMs: 5_000,
    ...(maxBodyBytes !== undefined ? { maxBodyBytes } : {}),
  });
  server = started.server;
  return started.url;
}

/** Sends raw bytes and resolves with what the server answered before it closed the connection. */
function raw(url: string, text: string): Promise<string> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => socket.write(text));
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk.toString();
    });
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('startHttpServer', () => {
  it('answers a message through app.fetch', async () => {
    const url = await serve();
    const response = await fetch(`${url}/sessions/s1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'hi' }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ state: 'finished', reply: 'hello' });
  });

  it('answers 413 to a declared oversized body without waiting for it', async () => {
    const url = await serve([], 1_000);
    // Only the headers are sent: the answer must come without the body.
    const answer = await raw(
      url,
      'POST /sessions/s1/messages HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 5000\r\n\r\n',
    );
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toContain('"payload_too_large"');
  });

  it('answers 413 to a chunked body that grows past the limit', async () => {
    const url = await serve([], 1_000);
    const response = await fetch(`${url}/sessions/s1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new Blob([JSON.stringify({ text: 'x'.repeat(2_000) })]).stream(),
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
  });

  it('passes the Host the client sent to the app, which refuses a foreign one (DNS rebinding)', async () => {
    const url = await serve();
    const body = '{"text":"hi"}';
    const rebound = await raw(
      url,
      `POST /sessions/s1/messages HTTP/1.1\r\nhost: attacker.example\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`,
    );
    expect(rebound).toMatch(/^HTTP\/1\.1 403 /);
    expect(rebound).toContain('"host_not_allowed"');
    const read = await raw(
      url,
      'GET /sessions/s1 HTTP/1.1\r\nhost: attacker.example:3000\r\nconnection: close\r\n\r\n',
    );
    expect(read).toMatch(/^HTTP\/1\.1 403 /);
    // Nothing was served: the session was never created.
    const local = await fetch(`${url}/sessions/s1`);
    expect(local.status).toBe(404);
  });

  it('serves a local name with its port, and answers 400 to a Host that is not a name and a port', async () => {
    const url = await serve();
    const { port } = new URL(url);
    const byName = await raw(
      url,
      `GET /healthz HTTP/1.1\r\nhost: localhost:${port}\r\nconnection: close\r\n\r\n`,
    );
    expect(byName).toMatch(/^HTTP\/1\.1 200 /);
    const tricked = await raw(
      url,
      'GET /healthz HTTP/1.1\r\nhost: localhost@attacker.example\r\nconnection: close\r\n\r\n',
    );
    expect(tricked).toMatch(/^HTTP\/1\.1 400 /);
  });

  it('answers 400 to a method a Web Request cannot carry', async () => {
    const url = await serve();
    const answer = await raw(url, 'TRACE /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
  });

  it("streams a route's body chunk by chunk and aborts the request's signal when the client goes away", async () => {
    let aborted!: () => void;
    const gone = new Promise<void>((resolve) => {
      aborted = resolve;
    });
    const stream: Route = {
      specs: [{ method: 'GET', path: '/stream', access: 'read', owner: 'test' }],
      async fetch(request) {
        request.signal.addEventListener('abort', () => aborted());
        const body = new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(new TextEncoder().encode('data: first\n\n'));
            // Nothing more until the client leaves.
          },
        });
        return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
      },
    };
    const url = await serve([stream]);
    const client = new AbortController();
    const response = await fetch(`${url}/stream`, { signal: client.signal });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe('data: first\n\n');
    client.abort();
    await gone;
  });
});
