import { join } from 'node:path';
import {
  apiKeys,
  createBatonApp,
  defineBaton,
  generateApiKey,
  type Scope,
  silentLogger,
  systemClock,
} from '@baton/core';
import { createExampleAgent } from '@baton/example-agent';
import { SqliteStore } from '@baton/store-sqlite';
import { callTools, DeltaGate, reply, StreamingScriptedModel } from '@baton/testing';
import { readUIMessageStream, type UIMessage, type UIMessageChunk } from 'ai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LocalConfig } from './config.js';
import { type LocalApp, startLocalApp } from './local-app.js';
import { tempDir } from './test-support/session-fixtures.js';
import { chunkOf, SseClient, type SseEvent } from './test-support/sse-client.js';

const ANSWER = 'Noted: buy milk. Your list has one note now, and nothing else is due.';
let app: LocalApp;
let gate: DeltaGate;
let key: string;
let dbPath: string;

/** The demo agent's model, streaming each answer word by word, each word held by the current gate. */
function streamingModel(): StreamingScriptedModel {
  return new StreamingScriptedModel(
    (request) => {
      const last = request.messages.at(-1);
      if (last?.role === 'tool') return reply(ANSWER);
      if (last?.role === 'user' && last.content.startsWith('note')) {
        return callTools([{ name: 'add_note', args: { text: 'buy milk' }, callId: 'call_note' }], {
          text: 'Let me write that down. ',
        });
      }
      return reply('Hello there, this answer comes word by word.');
    },
    { pace: () => gate.next() },
  );
}

async function createKey(dbPath: string, tenant: string, scopes: Scope[]): Promise<string> {
  const { key: created, record } = generateApiKey({ tenant, scopes }, systemClock);
  const store = new SqliteStore({ path: dbPath });
  await store.apiKeys.createApiKey(record);
  await store.close();
  return created;
}

function headers(extra: Record<string, string> = {}, bearer = key): Record<string, string> {
  return { authorization: `Bearer ${bearer}`, ...extra };
}

/** POST a message asking for the event stream. */
async function send(sessionId: string, text: string, extra: Record<string, string> = {}): Promise<SseClient> {
  const connection = new AbortController();
  const response = await fetch(`${app.url}/sessions/${sessionId}/messages`, {
    method: 'POST',
    headers: headers({ 'content-type': 'application/json', accept: 'text/event-stream', ...extra }),
    body: JSON.stringify({ text }),
    signal: connection.signal,
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/event-stream');
  expect(response.headers.get('x-vercel-ai-ui-message-stream')).toBe('v1');
  return new SseClient(response, connection);
}

/** GET the session's stream from a cursor (Last-Event-ID), to the end of the run it follows. */
async function follow(sessionId: string, lastEventId?: string): Promise<SseClient> {
  const connection = new AbortController();
  const response = await fetch(`${app.url}/sessions/${sessionId}/stream?until=finished`, {
    headers: headers(lastEventId === undefined ? {} : { 'last-event-id': lastEventId }),
    signal: connection.signal,
  });
  expect(response.status).toBe(200);
  return new SseClient(response, connection);
}

const types = (events: SseEvent[]) => events.map((event) => chunkOf(event)?.type ?? '[DONE]');
const deltas = (events: SseEvent[]) =>
  events.flatMap((event) => {
    const chunk = chunkOf(event);
    return chunk?.type === 'text-delta' ? [chunk.delta as string] : [];
  });
const isDelta = (event: SseEvent) => chunkOf(event)?.type === 'text-delta';

/**
 * How many chunks of each kind but deltas: a tool's result may come before or after the next
 * call's first deltas (it is committed with that call's response), so the order of kinds varies
 * with timing; their number never does.
 */
const counts = (events: SseEvent[]) => {
  const tally: Record<string, number> = {};
  for (const type of types(events)) if (type !== 'text-delta') tally[type] = (tally[type] ?? 0) + 1;
  return tally;
};
const ONE_TOOL_TURN = {
  start: 1,
  'start-step': 2,
  'text-start': 2,
  'text-end': 2,
  'tool-input-available': 1,
  'tool-output-available': 1,
  'finish-step': 2,
  finish: 1,
  '[DONE]': 1,
};

/** Whether the ids only ever move forward: the seq, then the chunk of an event, then the text offset. */
function increasing(events: SseEvent[]): boolean {
  const keys = events.flatMap((event) => {
    if (event.id === null) return [];
    const match = /^(\d+)(?:\.(\d+))?(?::(s|\d+))?$/.exec(event.id)!;
    const chunk = match[2] === undefined ? Number.POSITIVE_INFINITY : Number(match[2]);
    const step = match[3] === undefined ? -2 : match[3] === 's' ? -1 : Number(match[3]);
    return [[Number(match[1]), chunk, step]];
  });
  return keys.every((key, i) => {
    if (i === 0) return true;
    const before = keys[i - 1]!;
    for (let k = 0; k < 3; k++) if (key[k] !== before[k]) return key[k]! > before[k]!;
    return false;
  });
}

async function committedTexts(sessionId: string): Promise<string[]> {
  const page = (await (
    await fetch(`${app.url}/sessions/${sessionId}/events?after=0`, { headers: headers() })
  ).json()) as {
    events: { kind: string; text?: string }[];
  };
  return page.events.filter((event) => event.kind === 'model_response').map((event) => event.text ?? '');
}

beforeEach(async () => {
  const dataDir = tempDir();
  dbPath = join(dataDir, 'baton.db');
  gate = new DeltaGate();
  key = await createKey(dbPath, 'acme', ['send', 'read']);
  const config: LocalConfig = {
    host: '127.0.0.1',
    port: 0,
    dataDir,
    dbPath,
    syncWaitMs: 10_000,
    runBudgetMs: 300_000,
    requireAuth: true,
  };
  app = await startLocalApp(
    defineBaton({ agents: [createExampleAgent(streamingModel())], auth: apiKeys() }),
    config,
    { logger: silentLogger, env: {} },
  );
});

afterEach(async () => {
  gate.open();
  await app.stop();
});

describe('streaming a run on the local server (SQLite)', () => {
  it('sends deltas as the model writes them, adding up to the committed answer', async () => {
    const client = await send('s1', 'note buy milk');
    // Each delta is released only once the previous one reached the client: they come live.
    for (let i = 0; i < 3; i++) {
      gate.release();
      await client.until(isDelta);
    }
    gate.open();
    const events = await client.rest();
    expect(types(events).at(-1)).toBe('[DONE]');
    const committed = await committedTexts('s1');
    expect(deltas(events).join('')).toBe(committed.join(''));
    expect(deltas(events).length).toBeGreaterThanOrEqual(8);
    expect(counts(events)).toEqual(ONE_TOOL_TURN);
    const ids = events.flatMap((event) => (event.id === null ? [] : [event.id]));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('resumes a dropped client with Last-Event-ID: every remaining event once, in order, at any cut', async () => {
    // The uninterrupted stream, for what each cut must add up to.
    gate.open();
    const whole = await (await send('ref', 'note buy milk')).rest();
    const cuts: { name: string; cut: (client: SseClient) => Promise<void>; commitFirst: boolean }[] = [
      { name: 'after the input', cut: async (c) => void (await c.next()), commitFirst: false },
      { name: 'mid-delta', cut: async (c) => void (await c.until(isDelta)), commitFirst: false },
      {
        name: 'mid-delta, back after the commit',
        cut: async (c) => void (await c.until(isDelta)),
        commitFirst: true,
      },
      {
        name: 'at the tool input',
        cut: async (c) => {
          gate.open();
          await c.until((e) => chunkOf(e)?.type === 'tool-input-available');
        },
        commitFirst: true,
      },
    ];
    for (const [n, { name, cut, commitFirst }] of cuts.entries()) {
      const sessionId = `cut-${n}`;
      gate = new DeltaGate();
      const first = await send(sessionId, 'note buy milk');
      gate.release(2);
      await cut(first);
      const seen = [...first.received];
      first.hangUp();
      if (commitFirst) {
        gate.open();
        // A second watcher sees the run end: the commit happened before the client comes back.
        await (await follow(sessionId, seen.at(-1)!.id!)).rest();
      }
      const resumed = await follow(sessionId, seen.at(-1)!.id!);
      gate.open();
      const all = [...seen, ...(await resumed.rest())];
      expect(counts(all), name).toEqual(counts(whole));
      expect(increasing(all), name).toBe(true);
      expect(deltas(all).join(''), name).toBe((await committedTexts(sessionId)).join(''));
      const ids = all.flatMap((event) => (event.id === null ? [] : [event.id]));
      expect(new Set(ids).size, name).toBe(ids.length);
    }
  });

  it('answers bad stream requests with the JSON errors of the API', async () => {
    gate.open();
    await (await send('known', 'hello')).rest();
    const get = (path: string, extra: Record<string, string> = {}, bearer?: string) =>
      fetch(`${app.url}${path}`, { headers: bearer === '' ? extra : headers(extra, bearer) });
    const codeOf = async (response: Response) =>
      ((await response.json()) as { error: { code: string } }).error.code;

    const unknown = await get('/sessions/nope/stream');
    expect([unknown.status, await codeOf(unknown)]).toEqual([404, 'session_not_found']);
    const badCursor = await get('/sessions/known/stream', { 'last-event-id': 'seven' });
    expect([badCursor.status, await codeOf(badCursor)]).toEqual([400, 'invalid_input']);
    const pastEnd = await get('/sessions/known/stream?after=999');
    expect([pastEnd.status, await codeOf(pastEnd)]).toEqual([400, 'invalid_input']);
    const badUntil = await get('/sessions/known/stream?until=later');
    expect([badUntil.status, await codeOf(badUntil)]).toEqual([400, 'invalid_input']);
    const anonymous = await get('/sessions/known/stream', {}, '');
    expect(anonymous.status).toBe(401);
    const otherTenant = await get('/sessions/known/stream', { 'x-baton-tenant': 'globex' });
    expect(otherTenant.status).toBe(403);
    // Another tenant's key finds no such session: sessions are per tenant.
    const globex = await get('/sessions/known/stream', {}, await createKey(dbPath, 'globex', ['read']));
    expect([globex.status, await codeOf(globex)]).toEqual([404, 'session_not_found']);
    const sendOnly = await get('/sessions/known/stream', {}, await createKey(dbPath, 'acme', ['send']));
    expect(sendOnly.status).toBe(403);
    const badBody = await fetch(`${app.url}/sessions/known/messages`, {
      method: 'POST',
      headers: headers({ 'content-type': 'application/json', accept: 'text/event-stream' }),
      body: '{"text": 5}',
    });
    expect([badBody.status, await codeOf(badBody)]).toEqual([400, 'invalid_input']);
    expect(badBody.headers.get('content-type')).toBe('application/json');
  });

  it('shows another Baton instance on the same SQLite file the deltas, through the store', async () => {
    // A second app on the file, as a second server process or another invocation would be: its
    // hub never sees this run, so what it streams comes from the store's live record.
    const other = createBatonApp(
      defineBaton({ agents: [createExampleAgent(streamingModel())], auth: apiKeys() }),
      {
        store: new SqliteStore({ path: dbPath }),
        queue: { enqueue: async () => {} },
        logger: silentLogger,
        env: {},
        routes: [],
      },
    );
    const sender = await send('shared', 'note buy milk');
    gate.release();
    await sender.until(isDelta);
    const connection = new AbortController();
    const response = await other.fetch(
      new Request('http://127.0.0.1/sessions/shared/stream?until=finished', {
        headers: headers({ host: '127.0.0.1' }),
        signal: connection.signal,
      }),
    );
    expect(response.status).toBe(200);
    const watcher = new SseClient(response, connection);
    const first = await watcher.until(isDelta);
    // A live id (`<seq>:<offset>`): written by the other instance's run, read from SQLite.
    expect(first?.id).toMatch(/^\d+:\d+$/);
    gate.release();
    const second = await watcher.until(isDelta);
    expect(second?.id).toMatch(/^\d+:\d+$/);
    gate.open();
    const events = await watcher.rest();
    expect(deltas(events).join('')).toBe((await committedTexts('shared')).join(''));
    await sender.rest();
    await other.baton.store.close?.();
  });

  it('is read by the AI SDK (readUIMessageStream, what useChat runs) as one assistant message', async () => {
    const client = await send('ai-sdk', 'note buy milk');
    gate.open();
    const chunks = (await client.rest()).flatMap((event) => {
      const chunk = chunkOf(event);
      return chunk ? [chunk as UIMessageChunk] : [];
    });
    const stream = new ReadableStream<UIMessageChunk>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(chunk);
        controller.close();
      },
    });
    const errors: unknown[] = [];
    let message: UIMessage | undefined;
    for await (const snapshot of readUIMessageStream({ stream, onError: (error) => errors.push(error) })) {
      message = snapshot;
    }
    expect(errors).toEqual([]);
    expect(message?.id).toBe('msg-1');
    const text = message?.parts.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('');
    expect(text).toBe((await committedTexts('ai-sdk')).join(''));
    expect(
      message?.parts.find((part) => 'toolCallId' in part && part.toolCallId === 'call_note'),
    ).toMatchObject({
      state: 'output-available',
      input: { text: 'buy milk' },
    });
  });
});
