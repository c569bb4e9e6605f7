import { join } from 'node:path';
import type { SessionStore } from '@baton/core';
import { SqliteStore } from '@baton/store-sqlite';
import { countingStore } from '@baton/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createConsoleHandler } from './console-handler.js';
import type { ConsoleHandler } from './console-types.js';
import { LOCAL_IDENTITY } from './test-support/identities.js';
import { appendEvents, tempDir } from './test-support/session-fixtures.js';

interface SseMessage {
  id?: string;
  event?: string;
  data?: Record<string, unknown>;
  comment?: string;
}

/** Reads a stream message by message: each `next()` resolves with the next complete SSE message. */
function reader(stream: AsyncIterable<string>) {
  const iterator = stream[Symbol.asyncIterator]();
  let buffer = '';
  return {
    async next(): Promise<SseMessage | null> {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const message: SseMessage = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) message.comment = line.slice(1).trim();
            else if (line.startsWith('id: ')) message.id = line.slice(4);
            else if (line.startsWith('event: ')) message.event = line.slice(7);
            else if (line.startsWith('data: ')) message.data = JSON.parse(line.slice(6));
          }
          return message;
        }
        const chunk = await iterator.next();
        if (chunk.done) return null;
        buffer += chunk.value;
      }
    },
    /** The next message that is not a retry line or a keep-alive comment. */
    async nextEvent(): Promise<SseMessage | null> {
      for (;;) {
        const message = await this.next();
        if (message === null || message.event) return message;
      }
    },
  };
}

let store: SessionStore;
let console_: ConsoleHandler;
const ref = { tenant: 'acme', sessionId: 'live' };

function open(options: { after?: number; lastEventId?: string; signal?: AbortSignal } = {}) {
  return console_({
    method: 'GET',
    path: '/console/sessions/live/stream',
    query: new URLSearchParams({ tenant: 'acme', after: String(options.after ?? 0) }),
    headers: options.lastEventId ? { 'last-event-id': options.lastEventId } : {},
    identity: LOCAL_IDENTITY,
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

async function openStream(options: Parameters<typeof open>[0] = {}) {
  const response = await open(options);
  if (!('stream' in response)) throw new Error(`expected a stream, got ${response.status}`);
  expect(response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
  return reader(response.stream);
}

beforeEach(async () => {
  store = new SqliteStore({ path: join(tempDir(), 'stream.db') });
  // A short poll keeps the test quick; the test waits on the stream itself, never on a timer.
  console_ = createConsoleHandler({ store, pollMs: 5, heartbeatMs: 60_000 });
  await appendEvents(store, ref, [{ kind: 'input', text: 'first', source: 'http' }]);
});

afterEach(async () => {
  await console_.close();
  await store.close?.();
});

describe('console live stream', () => {
  it('sends the events committed after the last seq the page showed', async () => {
    const stream = await openStream({ after: 1 });
    expect(await stream.next()).toEqual({});
    const initial = await stream.nextEvent();
    expect(initial).toMatchObject({ id: '1', event: 'update', data: { seq: 1, timeline: '' } });
    await appendEvents(store, ref, [
      { kind: 'input', text: 'second <b>', source: 'http' },
      { kind: 'run_finished', reason: 'completed', text: 'done' },
    ]);
    const update = await stream.nextEvent();
    expect(update?.id).toBe('3');
    expect(update?.data?.timeline).toContain('id="e2"');
    expect(update?.data?.timeline).toContain('id="e3"');
    expect(update?.data?.timeline).toContain('second &lt;b&gt;');
    expect(update?.data?.conversation).toContain('second &lt;b&gt;');
    expect(update?.data?.summary).toContain('id="summary"');
  });

  it('resumes after Last-Event-ID when the browser reconnects', async () => {
    await appendEvents(store, ref, [{ kind: 'input', text: 'missed', source: 'http' }]);
    const stream = await openStream({ after: 0, lastEventId: '1' });
    const first = await stream.nextEvent();
    expect(first?.data?.timeline).toContain('id="e2"');
    expect(first?.data?.timeline).not.toContain('id="e1"');
  });

  it('sends the approvals panel when the run stops for approval and a status change without events', async () => {
    const stream = await openStream({ after: 1 });
    await stream.nextEvent();
    await appendEvents(
      store,
      ref,
      [
        {
          kind: 'model_response',
          text: '',
          toolCalls: [{ callId: 'c1', name: 'send_email', arguments: '{}' }],
          usage: { inputTokens: 1, outputTokens: 1 },
          stopReason: 'tool_calls',
          provider: 'openai',
          model: 'gpt-5-mini',
          latencyMs: 1,
        },
        { kind: 'interrupt', reason: 'approval', callIds: ['c1'] },
      ],
      { head: { status: 'waiting_approval' } },
    );
    const waiting = await stream.nextEvent();
    expect(waiting?.data?.status).toBe('waiting_approval');
    expect(waiting?.data?.approvals).toContain('data-approval-url="/sessions/live/approvals/c1"');
    await appendEvents(store, ref, [], { head: { status: 'failed' } });
    const failed = await stream.nextEvent();
    expect(failed?.data).toMatchObject({ status: 'failed', timeline: '' });
  });

  it('tells the page when the session is deleted and ends', async () => {
    const stream = await openStream({ after: 1 });
    await stream.nextEvent();
    await store.delete(ref);
    expect(await stream.nextEvent()).toMatchObject({ event: 'gone' });
    expect(await stream.next()).toBeNull();
  });

  it('ends cleanly when the client goes away or the server closes', async () => {
    const client = new AbortController();
    const first = await openStream({ after: 1, signal: client.signal });
    await first.nextEvent();
    client.abort();
    expect(await first.nextEvent()).toBeNull();
    const second = await openStream({ after: 1 });
    await second.nextEvent();
    await console_.close();
    expect(await second.nextEvent()).toBeNull();
  });

  it('answers once and ends with streamMaxMs 0, for hosts that buffer responses', async () => {
    console_ = createConsoleHandler({ store, streamMaxMs: 0 });
    const stream = await openStream({ after: 0 });
    expect((await stream.nextEvent())?.data?.timeline).toContain('id="e1"');
    expect(await stream.next()).toBeNull();
  });

  it('refuses a bad after value', async () => {
    const response = await console_({
      method: 'GET',
      path: '/console/sessions/live/stream',
      query: new URLSearchParams({ tenant: 'acme', after: '-1' }),
      headers: {},
      identity: LOCAL_IDENTITY,
    });
    expect(response.status).toBe(400);
  });
});

describe('console live stream, the answer being written', () => {
  const lease = { owner: 'run-1', expiresAt: Date.now() + 600_000, epoch: 1 };
  const snapshot = (afterSeq: number, text: string, runId = 'run-1') => ({
    afterSeq,
    runId,
    text,
    toolCalls: [],
    updatedAt: Date.now(),
    expiresAt: Date.now() + 600_000,
  });

  it('sends the lease holder’s text for this head as a live message, and none for a stale or foreign snapshot', async () => {
    await appendEvents(store, ref, [], { head: { status: 'running', lease } });
    await store.live!.write(ref, snapshot(1, 'Hel<b>'));
    const stream = await openStream({ after: 1 });
    expect((await stream.nextEvent())?.event).toBe('update');
    // Sent as data for textContent: the page never parses it as HTML.
    expect(await stream.nextEvent()).toEqual({ event: 'live', data: { seq: 1, text: 'Hel<b>' } });

    // Another run's snapshot is not shown (the status change's update comes, no live message with
    // it); the holder's next one is.
    await store.live!.write(ref, snapshot(1, 'Other run', 'run-2'));
    await appendEvents(store, ref, [], { head: { status: 'waiting_approval' } });
    expect(await stream.nextEvent()).toMatchObject({ event: 'update', data: { status: 'waiting_approval' } });
    await store.live!.write(ref, snapshot(1, 'Hello'));
    expect(await stream.nextEvent()).toEqual({ event: 'live', data: { seq: 1, text: 'Hello' } });

    // The step commits: the update comes, and the old call's snapshot (afterSeq 1) is not sent again.
    await appendEvents(store, ref, [{ kind: 'input', text: 'more', source: 'http' }]);
    const update = await stream.nextEvent();
    expect(update).toMatchObject({ event: 'update', data: { seq: 2 } });
    await store.live!.write(ref, snapshot(2, 'Next call'));
    expect(await stream.nextEvent()).toEqual({ event: 'live', data: { seq: 2, text: 'Next call' } });
  });

  it('reads no live record while no lease is held', async () => {
    const counted = countingStore(store);
    await console_.close();
    console_ = createConsoleHandler({ store: counted.store, pollMs: 5, heartbeatMs: 60_000 });
    await store.live!.write(ref, snapshot(1, 'left over'));
    const stream = await openStream({ after: 1 });
    await stream.nextEvent();
    await appendEvents(store, ref, [{ kind: 'input', text: 'more', source: 'http' }]);
    expect(await stream.nextEvent()).toMatchObject({ event: 'update', data: { seq: 2 } });
    expect(counted.counts.liveReads).toBe(0);
  });
});
