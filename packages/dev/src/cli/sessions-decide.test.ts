import { writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '@baton/core';
import { SqliteStore } from '@baton/store-sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteRunQueue } from '../local-queue.js';
import { memoryIo } from '../test-support/memory-io.js';
import { demoBaton, say, tempDir } from '../test-support/session-fixtures.js';
import { runCli } from './cli.js';

let dir: string;
let store: SqliteStore;

async function cli(...argv: string[]) {
  const io = memoryIo({ cwd: dir, env: { BATON_DB: 'baton.db' } });
  const code = await runCli(argv, io);
  return { code, out: io.out(), err: io.err() };
}

beforeEach(() => {
  dir = tempDir();
  store = new SqliteStore({ path: join(dir, 'baton.db') });
});

afterEach(async () => {
  await store.close();
});

describe('baton sessions approve and reject', () => {
  it('records the decision and queues the run for baton serve', async () => {
    const { baton } = demoBaton(store);
    const ref = { tenant: 'default', sessionId: 'mail' };
    await say(baton, ref, 'email bob@example.com Hello');
    const callId = (await baton.session(ref)).pendingApprovals[0]!.callId;
    const approved = await cli('sessions', 'approve', 'mail', callId, '--reason', 'fine');
    expect(approved.code).toBe(0);
    expect(approved.out).toBe(`approved ${callId} of mail\n`);
    expect((await store.readEvents(ref)).at(-1)).toMatchObject({
      kind: 'decision',
      callId,
      approved: true,
      reason: 'fine',
      by: `cli:${userInfo().username}`,
      via: 'cli',
    });
    const queue = new SqliteRunQueue(join(dir, 'baton.db'), systemClock);
    try {
      expect(queue.receive(10, 1000).map((item) => JSON.parse(item.body))).toContainEqual(
        expect.objectContaining({ sessionId: 'mail', reason: 'decision' }),
      );
    } finally {
      queue.close();
    }
    const again = await cli('sessions', 'reject', 'mail', callId);
    expect(again.code).toBe(1);
    expect(again.err).toContain('already decided');
  });

  it('rejects a waiting call, and refuses a call that is not waiting', async () => {
    const { baton } = demoBaton(store);
    const ref = { tenant: 'default', sessionId: 'mail' };
    await say(baton, ref, 'email bob@example.com Hello');
    const callId = (await baton.session(ref)).pendingApprovals[0]!.callId;
    expect((await cli('sessions', 'reject', 'mail', callId, '--reason', 'no')).code).toBe(0);
    expect((await store.readEvents(ref)).at(-1)).toMatchObject({
      kind: 'decision',
      approved: false,
      reason: 'no',
    });
    const unknown = await cli('sessions', 'approve', 'mail', 'call_404');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('is not waiting for approval');
  });
});

describe('baton sessions approve under the project approver policy', () => {
  /** A project whose assistant agent admits only `users` (plain ESM: the CLI loads it as a user's). */
  function project(users: string[]): void {
    const agent = {
      name: 'assistant',
      instructions: '',
      model: { provider: 'none', modelId: 'none', generate: () => Promise.reject(new Error('unused')) },
      tools: [],
      limits: { maxSteps: 5, maxInputBytes: 65536, compactAfterEvents: 0 },
      timing: { modelCallMs: 1000, leaseMs: 1000 },
      policies: { unknownOutcome: 'error', inputs: 'batch', stream: false },
      approvers: { users },
    };
    const source = `const agent = ${JSON.stringify(agent)};
agent.model.generate = () => Promise.reject(new Error('unused'));
agent.summarize = () => Promise.reject(new Error('unused'));
export default { kind: 'baton-app', config: { agents: [agent] } };
`;
    writeFileSync(join(dir, 'baton.config.mjs'), source);
  }

  it('refuses the operator when the agent policy does not list cli:<user>, and writes nothing', async () => {
    const { baton } = demoBaton(store);
    const ref = { tenant: 'default', sessionId: 'mail' };
    await say(baton, ref, 'email bob@example.com Hello');
    const callId = (await baton.session(ref)).pendingApprovals[0]!.callId;
    const before = await store.readEvents(ref);
    project(['key:someone-else']);
    const refused = await cli('sessions', 'approve', 'mail', callId);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('may not decide');
    expect(await store.readEvents(ref)).toEqual(before);
  });

  it('admits the operator the agent policy lists as cli:<user>', async () => {
    const { baton } = demoBaton(store);
    const ref = { tenant: 'default', sessionId: 'mail' };
    await say(baton, ref, 'email bob@example.com Hello');
    const callId = (await baton.session(ref)).pendingApprovals[0]!.callId;
    project([`cli:${userInfo().username}`]);
    expect((await cli('sessions', 'approve', 'mail', callId)).code).toBe(0);
    expect((await store.readEvents(ref)).at(-1)).toMatchObject({ kind: 'decision', via: 'cli' });
  });
});
