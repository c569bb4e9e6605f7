import { join } from 'node:path';
import { defineBaton, type Json, type SessionEvent, silentLogger } from '@baton/core';
import { createExampleAgent } from '@baton/example-agent';
import { callTools, reply, ScriptedModel } from '@baton/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { type LocalApp, startLocalApp } from './local-app.js';
import { tempDir } from './test-support/session-fixtures.js';

let local: LocalApp | undefined;

afterEach(async () => {
  await local?.stop();
  local = undefined;
});

/**
 * The example agent whose at-most-once `create_ticket` is held until the test releases it, and
 * ignores its signal (the hardest case: the run must stop waiting by itself); `send_email` (needs
 * approval) only counts. The model first calls `first`, then answers `answer N`.
 */
function heldAgent(first: 'create_ticket' | 'send_email') {
  const ticket = { started: 0, signal: undefined as AbortSignal | undefined, release: (_: Json) => {} };
  let entered!: () => void;
  const ticketStarted = new Promise<void>((resolve) => {
    entered = resolve;
  });
  const sent = { count: 0 };
  const modelCalls = { count: 0 };
  const model = new ScriptedModel((_request, index) => {
    modelCalls.count++;
    if (index > 0) return reply(`answer ${index + 1}`);
    const args: Json =
      first === 'create_ticket' ? { title: 'T' } : { to: 'a@example.com', subject: 's', body: 'b' };
    return callTools([{ name: first, args, callId: 'call-1' }]);
  });
  const base = createExampleAgent(model);
  const agent = {
    ...base,
    tools: base.tools.map((tool) => {
      if (tool.name === 'create_ticket') {
        return {
          ...tool,
          execute: (_args: unknown, context: { signal: AbortSignal }) =>
            new Promise<Json>((resolve) => {
              ticket.started++;
              ticket.signal = context.signal;
              ticket.release = resolve;
              entered();
            }),
        };
      }
      if (tool.name === 'send_email') {
        return {
          ...tool,
          execute: () => {
            sent.count++;
            return { sent: true };
          },
        };
      }
      return tool;
    }),
  };
  return { agent, ticket, ticketStarted, sent, modelCalls };
}

async function serve(agent: ReturnType<typeof heldAgent>['agent']) {
  const dataDir = tempDir();
  local = await startLocalApp(
    defineBaton({ agents: [agent] }),
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
  return local;
}

async function post(path: string, body: unknown) {
  const response = await fetch(`${local!.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const events = (id: string): Promise<SessionEvent[]> =>
  local!.baton.events({ tenant: 'default', sessionId: id });

describe('cancel during an at-most-once tool on the local server', () => {
  it('aborts the tool’s signal, records it unknown, never starts it again, even on a redelivered message', async () => {
    const held = heldAgent('create_ticket');
    await serve(held.agent);
    const asked = post('/sessions/t1/messages', { text: 'open a ticket' });
    await held.ticketStarted;
    expect(await post('/sessions/t1/cancel', { reason: 'stop' })).toMatchObject({
      status: 202,
      body: { cancelled: true, duplicate: false },
    });
    // The tool ignores its signal: the run stops waiting for it by itself.
    expect(await asked).toMatchObject({ status: 200, body: { state: 'cancelled', reply: null } });
    expect(held.ticket.signal?.aborted).toBe(true);
    const recorded = await events('t1');
    expect(recorded.map((event) => event.kind)).toEqual([
      'input',
      'model_response',
      'tool_intent',
      'cancel',
      'tool_result',
      'run_finished',
    ]);
    expect(recorded[4]).toMatchObject({ callId: 'call-1', outcome: 'unknown' });
    expect(recorded[5]).toMatchObject({ reason: 'cancelled' });

    // The tool returns late: its result is dropped (the call is already recorded unknown).
    held.ticket.release({ ticket: 'T-1' });
    // A duplicate delivery of the run message runs nothing again (once the cancel's own message is worked off).
    await local!.worker.whenIdle();
    const duplicate = JSON.stringify({
      v: 1,
      tenant: 'default',
      sessionId: 't1',
      reason: 'input',
      dedupeKey: 'input:default/t1:1',
    });
    const disposition = await local!.app.deliver(duplicate, {
      deadline: Date.now() + 60_000,
      attempt: 2,
      maxAttempts: 8,
    });
    expect(disposition.action).toBe('done');
    await local!.worker.whenIdle();
    expect(await events('t1')).toEqual(recorded);
    expect(held.ticket.started).toBe(1);
    expect(held.modelCalls.count).toBe(1);

    expect(await post('/sessions/t1/messages', { text: 'and now?' })).toMatchObject({
      status: 200,
      body: { state: 'finished', reply: 'answer 2' },
    });
    expect(held.ticket.started).toBe(1);
    expect(held.modelCalls.count).toBe(2);
  });
});

describe('an approval after a cancel on the local server', () => {
  it('never runs the approved tool: the cancel wins and the run ends cancelled', async () => {
    const held = heldAgent('send_email');
    await serve(held.agent);
    expect(await post('/sessions/a1/messages', { text: 'email them' })).toMatchObject({
      status: 202,
      body: { state: 'waiting_approval' },
    });
    // Nothing runs queued work until the approval is recorded too, as on Lambda and Azure.
    await local!.worker.stop();
    expect((await post('/sessions/a1/cancel', {})).status).toBe(202);
    const approved = await post('/sessions/a1/approvals/call-1', { approved: true });
    local!.worker.start();
    await local!.worker.whenIdle();

    expect(held.sent.count).toBe(0);
    const recorded = await events('a1');
    const results = recorded.filter((event) => event.kind === 'tool_result');
    expect(results).toEqual([expect.objectContaining({ callId: 'call-1', outcome: 'rejected' })]);
    expect(recorded.flatMap((event) => (event.kind === 'run_finished' ? [event.reason] : []))).toEqual([
      'cancelled',
    ]);
    expect(held.modelCalls.count).toBe(1);
    // The approval is accepted (the call still waited when it was recorded) and then ignored.
    expect(approved).toMatchObject({ status: 202, body: { accepted: true, duplicate: false } });
    expect(recorded.map((event) => event.kind)).toEqual([
      'input',
      'model_response',
      'interrupt',
      'cancel',
      'decision',
      'tool_result',
      'run_finished',
    ]);
    // A later message is answered; the rejected call stays rejected.
    expect(await post('/sessions/a1/messages', { text: 'and now?' })).toMatchObject({
      status: 200,
      body: { state: 'finished', reply: 'answer 2' },
    });
    expect(held.sent.count).toBe(0);
  });
});
