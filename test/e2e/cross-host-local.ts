import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineBaton, type SessionEvent, type SessionView, silentLogger } from '@baton/core';
import { loadConfig, startLocalApp } from '@baton/dev';
import { createExampleAgent } from '@baton/example-agent';
import { ManualClock } from '@baton/testing';
import { vi } from 'vitest';
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

/** The local server works on real time (its HTTP wait, its worker's polling): poll it, with a bound. */
const POLL = { timeout: 30_000, interval: 20 };

/**
 * The conversation under `npm start`: the local app as `baton serve` assembles it (configuration
 * from the environment, here only a temporary data dir and a free port), driven over real HTTP.
 * Its run budget is the default 5 minutes, so the run never continues in another invocation; the
 * worker resumes it after the approval. The clock is manual so nothing but the approval decides
 * when the run goes on (the input's safety-net message becomes visible only when the test moves
 * the clock).
 */
export async function runLocally(): Promise<HostRun> {
  const dataDir = mkdtempSync(join(tmpdir(), 'baton-cross-host-'));
  const clock = new ManualClock();
  const model = conversationModel();
  const config = loadConfig({ BATON_DATA_DIR: dataDir, PORT: '0' }, dataDir);
  const app = await startLocalApp(
    defineBaton({ agents: [createExampleAgent(model)], auth: CALLER_AUTH }),
    config,
    {
      clock,
      logger: silentLogger,
      env: {},
    },
  );
  // Every run message the local worker handles (the server's own inline run is not one).
  const handle = vi.spyOn(app.baton, 'handle');
  const get = async <T>(path: string): Promise<T> => (await fetch(`${app.url}${path}`)).json() as Promise<T>;
  const session = async () => (await get<{ session: SessionView }>(`/sessions/${SESSION_ID}`)).session;
  try {
    const sent = await fetch(`${app.url}/sessions/${SESSION_ID}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': IDEMPOTENCY_KEY },
      body: JSON.stringify({ text: MESSAGE }),
    });
    const answer = (await sent.json()) as { state: unknown };
    // Normally the answer already says waiting_approval; on a slow machine the run outlasts the sync wait.
    const waiting = await vi.waitFor(async () => {
      const current = await session();
      if (current.status !== 'waiting_approval') throw new Error(`the session is ${current.status}`);
      return current;
    }, POLL);
    const callId = waiting.pendingApprovals[0]!.callId;
    const approved = await fetch(
      `${app.url}/sessions/${SESSION_ID}/approvals/${encodeURIComponent(callId)}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-baton-user': APPROVER },
        body: JSON.stringify({ approved: true, reason: APPROVAL_REASON }),
      },
    );
    // The worker runs the decision's message; done when the session is idle and the message acknowledged.
    await vi.waitFor(async () => {
      const current = await session();
      const { pending } = app.queue.depth();
      if (current.status !== 'idle' || pending !== 1) {
        throw new Error(`the session is ${current.status} with ${pending} queued messages`);
      }
    }, POLL);
    // The one message left is the input's safety net: once visible it finds nothing to do, and
    // the worker has nothing left after it.
    clock.advance(config.syncWaitMs + 1_000);
    await vi.waitFor(() => {
      const { pending } = app.queue.depth();
      if (pending !== 0) throw new Error(`${pending} queued messages`);
    }, POLL);
    const { deadLetters } = app.queue.depth();
    if (deadLetters !== 0) throw new Error(`the local worker dead-lettered ${deadLetters} messages`);
    return {
      host: 'local',
      answers: {
        message: { status: sent.status, state: answer.state },
        approval: { status: approved.status },
      },
      events: (await get<{ events: SessionEvent[] }>(`/sessions/${SESSION_ID}/events?limit=1000`)).events,
      session: await session(),
      workerInvocations: handle.mock.calls.map(([message]) => [message.reason]),
      modelRequests: modelRequests(model),
    };
  } finally {
    handle.mockRestore();
    await app.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
