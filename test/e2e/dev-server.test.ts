import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type ServerProcess, startServerProcess } from './dev-server-process.js';
import { FakeChatModel } from './fake-chat-model.js';

interface StoredEvent {
  seq: number;
  kind: string;
  callId?: string;
  text?: string;
  output?: unknown;
  toolCalls?: { callId: string; name: string; arguments: string }[];
  outcome?: string;
}

async function post(url: string, text: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Posts a message and, if the answer is 202 (a loaded machine is slower than the sync wait), polls until the session is idle. */
async function converse(server: ServerProcess, session: string, text: string): Promise<void> {
  const answer = await post(`${server.url}/sessions/${session}/messages`, text);
  if (answer.status === 200) {
    expect(answer.body).toMatchObject({ state: 'finished' });
    return;
  }
  expect(answer.status).toBe(202);
  await eventually(async () => {
    const response = await fetch(`${server.url}/sessions/${session}`);
    const body = (await response.json()) as { session: { status: string } };
    return body.session.status === 'idle' ? true : undefined;
  }, `the answer to "${text}"`);
}

async function events(server: ServerProcess, session: string): Promise<StoredEvent[]> {
  const response = await fetch(`${server.url}/sessions/${session}/events?limit=1000`);
  return ((await response.json()) as { events: StoredEvent[] }).events;
}

/** What must be equal between a crashed and an uncrashed run: everything but times and latencies. */
function transcript(log: StoredEvent[]): unknown[] {
  return log.map(({ kind, text, toolCalls, callId, output, outcome }) => ({
    kind,
    text,
    toolCalls,
    callId,
    output,
    outcome,
  }));
}

async function conversation(server: ServerProcess, session: string): Promise<void> {
  await converse(server, session, 'note buy milk');
  await converse(server, session, 'ticket printer jam');
  await converse(server, session, 'notes');
}

describe('baton serve (child process)', () => {
  const model = new FakeChatModel();
  let dataDir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    await model.start();
    dataDir = mkdtempSync(join(tmpdir(), 'baton-e2e-'));
    env = {
      OPENAI_BASE_URL: model.baseURL,
      OPENAI_API_KEY: 'test-key',
      BATON_MODEL: 'fake-chat',
      BATON_SYNC_WAIT_MS: '1500',
      // Short lease and model budget so recovery after SIGKILL takes about two seconds, not minutes.
      BATON_LEASE_MS: '1000',
      BATON_MODEL_CALL_MS: '1000',
    };
  });

  afterAll(async () => {
    await model.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('resumes a run killed with SIGKILL and ends with the same transcript as an uncrashed run', async () => {
    const reference = await startServerProcess({ ...env, BATON_DATA_DIR: join(dataDir, 'reference') });
    let expected: unknown[];
    try {
      await conversation(reference, 'chat');
      expected = transcript(await events(reference, 'chat'));
    } finally {
      await reference.stop();
    }

    const dir = join(dataDir, 'crash');
    const first = await startServerProcess({ ...env, BATON_DATA_DIR: dir });
    const base = (server: ServerProcess) => `${server.url}/sessions/chat/messages`;
    await converse(first, 'chat', 'note buy milk');
    // Kill the server while the model is thinking about the ticket tool's result: the tool ran and
    // its result is committed, the model response is not.
    const held = model.holdNext(
      (messages) => messages.at(-1)?.role === 'tool' && String(messages.at(-1)?.content).includes('T-1'),
    );
    const answer = post(base(first), 'ticket printer jam').catch(() => 'connection lost');
    await held;
    await first.kill();
    expect(await answer).toBe('connection lost');

    const second = await startServerProcess({ ...env, BATON_DATA_DIR: dir });
    try {
      // The pending run comes back from the durable local queue once the dead holder's lease expires.
      await eventually(async () => {
        const log = await events(second, 'chat');
        return log.at(-1)?.kind === 'run_finished' &&
          log.filter((e) => e.kind === 'run_finished').length === 2
          ? log
          : undefined;
      }, 'the interrupted run to finish after restart');
      await converse(second, 'chat', 'notes');
      const log = await events(second, 'chat');
      expect(transcript(log)).toEqual(expected);
      const results = log.filter((event) => event.kind === 'tool_result').map((event) => event.callId);
      expect(new Set(results).size).toBe(results.length);
      expect(log.map((event) => event.seq)).toEqual(log.map((_, index) => index + 1));
    } finally {
      await second.stop();
    }
  });

  it('processes 20 concurrent messages to one session exactly once, in one linear order', async () => {
    const server = await startServerProcess({ ...env, BATON_DATA_DIR: join(dataDir, 'concurrent') });
    try {
      const url = `${server.url}/sessions/busy/messages`;
      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => post(url, `message ${i}`)));
      for (const answer of answers) expect([200, 202]).toContain(answer.status);
      const log = await eventually(async () => {
        const current = await events(server, 'busy');
        const session = (await (await fetch(`${server.url}/sessions/busy`)).json()) as {
          session: { status: string };
        };
        return session.session.status === 'idle' ? current : undefined;
      }, 'the session to go idle');
      const inputs = log.filter((event) => event.kind === 'input').map((event) => event.text);
      expect(inputs.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `message ${i}`).sort());
      expect(log.map((event) => event.seq)).toEqual(log.map((_, index) => index + 1));
      // Every input was seen by a model call that came after it.
      const lastModel = log.filter((event) => event.kind === 'model_response').at(-1)!;
      expect(lastModel.seq).toBeGreaterThan(
        Math.max(...log.filter((e) => e.kind === 'input').map((e) => e.seq)),
      );
    } finally {
      await server.stop();
    }
  });
});
