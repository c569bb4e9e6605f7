import { join } from 'node:path';
import { SqliteStore } from '@baton/store-sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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

describe('baton sessions cancel', () => {
  it('cancels a run waiting for approval, says so once, and leaves an idle session alone', async () => {
    const { baton } = demoBaton(store);
    const ref = { tenant: 'default', sessionId: 'mail' };
    await say(baton, ref, 'email bob@example.com Hello');
    const first = await cli('sessions', 'cancel', 'mail', '--reason', 'not now');
    expect(first).toMatchObject({ code: 0 });
    expect(first.out).toMatch(/^cancelled mail \(event \d+\)\n$/);
    expect((await store.readEvents(ref)).at(-1)).toMatchObject({
      kind: 'cancel',
      reason: 'not now',
      via: 'cli',
    });
    expect((await cli('sessions', 'cancel', 'mail')).out).toMatch(/^already cancelled mail/);
    await baton.run(ref, { deadline: Date.now() + 10_000 });
    expect((await store.readEvents(ref)).at(-1)).toMatchObject({ kind: 'run_finished', reason: 'cancelled' });
    expect((await cli('sessions', 'cancel', 'mail')).out).toBe('nothing to cancel: mail is idle\n');
    const missing = await cli('sessions', 'cancel', 'nope');
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('no session nope');
  });
});
