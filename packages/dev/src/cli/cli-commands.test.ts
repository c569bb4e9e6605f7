import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteStore } from '@baton/store-sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryIo } from '../test-support/memory-io.js';
import { appendEvents, demoBaton, everyKind, say, tempDir } from '../test-support/session-fixtures.js';
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

describe('baton sessions list', () => {
  it('lists the tenant sessions as a table, as JSON Lines, and filtered by status', async () => {
    await appendEvents(store, { tenant: 'default', sessionId: 'one' }, everyKind());
    await appendEvents(
      store,
      { tenant: 'default', sessionId: 'two' },
      [{ kind: 'input', text: 'hi', source: 'cli' }],
      {
        head: { status: 'waiting_approval' },
      },
    );
    await appendEvents(store, { tenant: 'acme', sessionId: 'three' }, [
      { kind: 'input', text: 'hi', source: 'cli' },
    ]);
    const table = await cli('sessions', 'list');
    expect(table.code).toBe(0);
    expect(table.out.split('\n')[0]).toMatch(
      /^SESSION\s+STATUS\s+AGENT\s+EVENTS\s+TOKENS IN \/ OUT\s+UPDATED$/,
    );
    expect(table.out).toContain('one');
    expect(table.out).not.toContain('three');
    const waiting = await cli('sessions', 'list', '--status', 'waiting_approval', '--json');
    expect(
      waiting.out
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).sessionId),
    ).toEqual(['two']);
    const acme = await cli('sessions', 'list', '--tenant', 'acme', '--json');
    expect(JSON.parse(acme.out)).toMatchObject({ tenant: 'acme', sessionId: 'three', seq: 1 });
    const everyone = await cli('sessions', 'list', '--all-tenants');
    expect(everyone.out).toContain('three');
  });

  it('adds the estimated cost of each session with --cost', async () => {
    await appendEvents(store, { tenant: 'default', sessionId: 'priced' }, everyKind());
    const listed = await cli('sessions', 'list', '--cost');
    expect(listed.out).toMatch(/EST\. COST/);
    expect(listed.out).toContain('$0.0009');
  });

  it('pages with --limit and tells where the next page starts', async () => {
    for (const id of ['a', 'b', 'c'])
      await appendEvents(store, { tenant: 'default', sessionId: id }, [
        { kind: 'input', text: id, source: 'cli' },
      ]);
    const first = await cli('sessions', 'list', '--limit', '2', '--json');
    expect(first.out.trim().split('\n')).toHaveLength(2);
    const cursor = /--cursor (\S+)/.exec(first.err)?.[1];
    expect(cursor).toBeDefined();
    const second = await cli('sessions', 'list', '--limit', '2', '--json', '--cursor', cursor!);
    expect(second.out.trim().split('\n')).toHaveLength(1);
    const all = await cli('sessions', 'list', '--limit', '1', '--all', '--json');
    expect(all.out.trim().split('\n')).toHaveLength(3);
  });
});

describe('baton sessions show', () => {
  it('prints the transcript, the timeline, tokens and cost', async () => {
    await appendEvents(store, { tenant: 'default', sessionId: 's' }, everyKind());
    const shown = await cli('sessions', 'show', 's');
    expect(shown.code).toBe(0);
    expect(shown.out).toContain('Tokens 1,200 in / 300 out · estimated cost $0.0009');
    expect(shown.out).toContain('gpt-5-mini: 2 call(s)');
    expect(shown.out).toMatch(/ada\s+hello plain/);
    expect(shown.out).toMatch(
      /#2 .* model\s+openai gpt-5-mini · 1,200 in \(200 cached\) \/ 300 out · 1\.2 s · stop tool_calls/,
    );
    expect(shown.out).toContain('→ add_note call-a {"text":"plain"}');
    expect(shown.out).toMatch(/tool\s+create_ticket call-b OUTCOME UNKNOWN \(at-most-once, not re-run\)/);
    expect(shown.out).toMatch(/continue\s+in a new invocation \(out of time\)/);
    expect(shown.out).toMatch(/rejected\s+call-b by grace: no plain/);
  });

  it('shows what waits for approval with the command that decides it', async () => {
    const { baton } = demoBaton(store);
    await say(baton, { tenant: 'default', sessionId: 'mail' }, 'email bob@example.com Hello');
    const shown = await cli('sessions', 'show', 'mail');
    expect(shown.out).toContain('Waiting for approval:');
    expect(shown.out).toMatch(/baton sessions approve mail call_\d+/);
  });

  it('escapes terminal control sequences from the session', async () => {
    const hostile = 'evil\u001b[2J\u001b]0;pwned\u0007';
    await appendEvents(store, { tenant: 'default', sessionId: 'tty' }, [
      { kind: 'input', text: hostile, source: 'http' },
      { kind: 'error', code: 'x', message: hostile, retryable: false },
    ]);
    const shown = await cli('sessions', 'show', 'tty');
    expect(shown.out).not.toContain('\u001b');
    expect(shown.out).not.toContain('\u0007');
    expect(shown.out).toContain('evil\\x1b[2J\\x1b]0;pwned\\x07');
  });

  it('fails with a clear message for a missing session or a missing database', async () => {
    const missing = await cli('sessions', 'show', 'nope');
    expect(missing).toMatchObject({ code: 1, out: '' });
    expect(missing.err).toMatch(/no session nope in tenant default/);
    const noDb = await cli('sessions', 'show', 'x', '--db', 'elsewhere.db');
    expect(noDb.code).toBe(1);
    expect(noDb.err).toMatch(/no SQLite database at .*elsewhere\.db/);
  });
});

describe('baton sessions events', () => {
  it('prints the log as JSON Lines with --json, and one line per event without', async () => {
    await appendEvents(store, { tenant: 'default', sessionId: 'e' }, everyKind());
    const json = await cli('sessions', 'events', 'e', '--json', '--after', '2', '--limit', '3');
    expect(
      json.out
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).seq),
    ).toEqual([3, 4, 5]);
    const text = await cli('sessions', 'events', 'e', '--after', '2', '--limit', '1');
    // A tool result shows the arguments of its call, which an earlier event holds.
    expect(text.out).toContain('args   {"text":"plain"}');
  });
});

describe('baton sessions delete', () => {
  it('deletes the session and its log', async () => {
    await appendEvents(store, { tenant: 'default', sessionId: 'gone' }, everyKind());
    const deleted = await cli('sessions', 'delete', 'gone');
    expect(deleted.code).toBe(0);
    expect(deleted.out).toMatch(/^deleted gone \(14 events\)/);
    expect(await store.readHead({ tenant: 'default', sessionId: 'gone' })).toBeNull();
    expect((await cli('sessions', 'delete', 'gone')).code).toBe(1);
  });
});

describe('baton tenants cost', () => {
  it('sums the estimated cost of the tenant sessions with prices from BATON_PRICES', async () => {
    await appendEvents(store, { tenant: 'acme', sessionId: 'a' }, everyKind());
    await appendEvents(store, { tenant: 'acme', sessionId: 'b' }, everyKind());
    writeFileSync(
      join(dir, 'prices.json'),
      JSON.stringify({ 'gpt-5-mini': { input: 10, output: 100, cachedInput: 1 } }),
    );
    const io = memoryIo({ cwd: dir, env: { BATON_DB: 'baton.db', BATON_PRICES: join(dir, 'prices.json') } });
    expect(await runCli(['tenants', 'cost', '--tenant', 'acme', '--json', '--sessions'], io)).toBe(0);
    const report = JSON.parse(io.out());
    // Per session: model call 1000 * 10 + 200 * 1 + 300 * 100 = 40,200; the summary (100 in, 10 out) 2,000.
    expect(report.total.usd).toBeCloseTo((2 * 42_200) / 1e6, 12);
    expect(report.total.calls).toBe(4);
    expect(report.sessions).toHaveLength(2);
    const text = memoryIo({ cwd: dir, env: { BATON_DB: 'baton.db' } });
    expect(await runCli(['tenants', 'cost', '--tenant', 'acme'], text)).toBe(0);
    expect(text.out()).toMatch(/^Tenant acme: \$0\.0018 estimated, 2 session\(s\), 4 model call\(s\)/);
  });

  it('fails clearly on a price file that is not valid', async () => {
    writeFileSync(join(dir, 'prices.json'), JSON.stringify({ m: { input: 'cheap', output: 1 } }));
    const io = memoryIo({ cwd: dir, env: { BATON_DB: 'baton.db', BATON_PRICES: join(dir, 'prices.json') } });
    expect(await runCli(['tenants', 'cost'], io)).toBe(1);
    expect(io.err()).toMatch(/invalid price table at m\.input/);
  });
});

describe('baton CLI usage', () => {
  const commands = [
    'sessions',
    'sessions list',
    'sessions show',
    'sessions events',
    'sessions approve',
    'sessions reject',
    'sessions delete',
    'sessions export',
    'sessions import',
    'tenants',
    'tenants cost',
  ];

  it.each(commands)('answers --help for baton %s', async (command) => {
    const help = await cli(...command.split(' '), '--help');
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/^Usage: baton /);
  });

  it('exits with 2 on an unknown flag, a missing argument or an unknown command', async () => {
    const flag = await cli('sessions', 'list', '--bogus');
    expect(flag.code).toBe(2);
    expect(flag.err).toContain("Unknown option '--bogus'");
    expect((await cli('sessions', 'show')).code).toBe(2);
    expect((await cli('sessions', 'rename', 'x')).code).toBe(2);
    expect((await cli('sessions', 'list', '--store', 'mongo')).code).toBe(2);
    expect((await cli('sessions', 'list', '--store', 'dynamodb')).err).toContain('needs --table');
  });
});
