import { join } from 'node:path';
import { defineAgent, defineBaton, type ModelRequest, silentLogger } from '@baton/core';
import { reply, ScriptedModel } from '@baton/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { type LocalApp, startLocalApp } from './local-app.js';
import { tempDir } from './test-support/session-fixtures.js';

let local: LocalApp | undefined;

afterEach(async () => {
  await local?.stop();
  local = undefined;
});

/** The local server (SQLite store and queue) with a model whose first call hangs until aborted. */
async function serve() {
  const calls: { request: ModelRequest; aborted: boolean }[] = [];
  let entered!: () => void;
  const firstCall = new Promise<void>((resolve) => {
    entered = resolve;
  });
  const model = new ScriptedModel((request, index) => {
    const call = { request, aborted: false };
    calls.push(call);
    if (index > 0) return reply(`answer ${index + 1}`);
    entered();
    return new Promise((_resolve, reject) =>
      request.signal?.addEventListener('abort', () => {
        call.aborted = true;
        reject(request.signal?.reason);
      }),
    );
  });
  const dataDir = tempDir();
  local = await startLocalApp(
    defineBaton({ agents: [defineAgent({ name: 'slow', instructions: 'think', model })] }),
    {
      host: '127.0.0.1',
      port: 0,
      dataDir,
      dbPath: join(dataDir, 'baton.db'),
      syncWaitMs: 60_000,
      runBudgetMs: 300_000,
    },
    { logger: silentLogger, env: {} },
  );
  return { calls, firstCall };
}

async function post(path: string, body: string | undefined, headers: Record<string, string> = {}) {
  const response = await fetch(`${local!.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    ...(body !== undefined ? { body } : {}),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('POST /sessions/{id}/cancel on the local server', () => {
  it('aborts the model call of a run in progress, which ends cancelled; later input is answered', async () => {
    const { calls, firstCall } = await serve();
    const asked = post('/sessions/s1/messages', JSON.stringify({ text: 'think hard' }));
    await firstCall;
    const cancelled = await post('/sessions/s1/cancel', JSON.stringify({ reason: 'too slow' }), {
      'idempotency-key': 'c-1',
    });
    expect(cancelled).toMatchObject({
      status: 202,
      body: { cancelled: true, duplicate: false, cancelSeq: 2 },
    });
    expect(await asked).toMatchObject({ status: 200, body: { state: 'cancelled', reply: null } });
    expect(calls[0]!.aborted).toBe(true);
    const again = await post('/sessions/s1/cancel', JSON.stringify({ reason: 'too slow' }), {
      'idempotency-key': 'c-1',
    });
    expect(again).toMatchObject({ status: 202, body: { cancelled: true, duplicate: true, cancelSeq: 2 } });
    expect(await post('/sessions/s1/messages', JSON.stringify({ text: 'and now?' }))).toMatchObject({
      status: 200,
      body: { state: 'finished', reply: 'answer 2' },
    });
    expect(calls).toHaveLength(2);
    const events = await local!.baton.events({ tenant: 'default', sessionId: 's1' });
    expect(events.map((event) => event.kind)).toEqual([
      'input',
      'cancel',
      'run_finished',
      'input',
      'model_response',
      'run_finished',
    ]);
    expect(await post('/sessions/s1/cancel', '{}')).toEqual({
      status: 200,
      body: { cancelled: false, status: 'idle' },
    });
  });

  it('answers an unknown session 404 and a malformed body 400 or 415, writing nothing', async () => {
    const { firstCall } = await serve();
    expect((await post('/sessions/nope/cancel', '{}')).status).toBe(404);
    const asked = post('/sessions/s2/messages', JSON.stringify({ text: 'hi' }));
    await firstCall;
    expect(await post('/sessions/s2/cancel', '{not json')).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_json' } },
    });
    expect((await post('/sessions/s2/cancel', JSON.stringify({ reason: 7 }))).status).toBe(400);
    expect((await post('/sessions/s2/cancel', '{}', { 'content-type': 'text/plain' })).status).toBe(415);
    const events = await local!.baton.events({ tenant: 'default', sessionId: 's2' });
    expect(events.some((event) => event.kind === 'cancel')).toBe(false);
    expect((await post('/sessions/s2/cancel', '{}')).status).toBe(202);
    expect((await asked).body).toMatchObject({ state: 'cancelled' });
  });
});
