import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SqliteStore } from '@baton/store-sqlite';
import { beforeAll, describe, expect, it } from 'vitest';
import { appendEvents, everyKind, tempDir } from '../test-support/session-fixtures.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const BIN = join(ROOT, 'packages/dev/bin/baton.mjs');

function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, BATON_STORE: '', BATON_DB: '', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, out, err }));
  });
}

const baton = (args: string[], options: Parameters<typeof run>[2] = {}) =>
  run(process.execPath, [BIN, ...args], options);

let dir: string;

beforeAll(async () => {
  dir = tempDir();
  const store = new SqliteStore({ path: join(dir, 'source.db') });
  await appendEvents(store, { tenant: 'default', sessionId: 'moved' }, everyKind());
  await store.close();
});

describe('baton CLI (child process)', () => {
  it('moves a session between SQLite files with export and import', async () => {
    const exported = await baton(['sessions', 'export', 'moved', '--db', 'source.db', '-o', 'moved.jsonl'], {
      cwd: dir,
    });
    expect(exported).toMatchObject({ code: 0, out: '' });
    // Not a terminal: a count, no bar.
    expect(exported.err).toMatch(/^exported 14 events of moved from SQLite/);
    const imported = await baton(['sessions', 'import', 'moved.jsonl', '--db', 'target.db'], { cwd: dir });
    expect(imported.code).toBe(0);
    expect(imported.err).toMatch(/^imported 14 events of moved into SQLite .*target\.db in 1 commit\(s\)/);
    const shown = await baton(['sessions', 'show', 'moved', '--db', 'target.db'], { cwd: dir });
    expect(shown.code).toBe(0);
    expect(shown.out).toContain('Session moved · tenant default');
    const events = await baton(['sessions', 'events', 'moved', '--json'], {
      cwd: dir,
      env: { BATON_DB: 'target.db' },
    });
    expect(events.out.trimEnd().split('\n')).toEqual(
      readFileSync(join(dir, 'moved.jsonl'), 'utf8').trimEnd().split('\n').slice(2),
    );
  });

  it('exits 1 with the line number when an import is malformed', async () => {
    writeFileSync(join(dir, 'bad.jsonl'), '{"format":"baton-session","version":1}\nnot json\n');
    const result = await baton(['sessions', 'import', 'bad.jsonl', '--db', 'never.db'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.err).toContain('line 1: the header must name the tenant and the sessionId');
  });

  it('never loads a cloud SDK on the SQLite path, and loads it for --store dynamodb', async () => {
    const log = join(dir, 'loaded.log');
    const hooks = `export async function resolve(specifier, context, next) {
      if (/@aws-sdk|@azure\\/cosmos/.test(specifier)) (await import('node:fs')).appendFileSync(${JSON.stringify(log)}, specifier + '\\n');
      return next(specifier, context);
    }`;
    const preload = join(dir, 'watch-imports.mjs');
    writeFileSync(
      preload,
      `import { register } from 'node:module';\nregister(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)});\n`,
    );
    const withHook = (args: string[]) =>
      run(process.execPath, ['--import', preload, BIN, ...args], { cwd: dir });
    expect((await withHook(['sessions', 'list', '--db', 'source.db'])).code).toBe(0);
    expect(() => readFileSync(log, 'utf8')).toThrow();
    // Port 9 refuses the connection: the command fails, after loading the SDK.
    const dynamo = await withHook([
      'sessions',
      'list',
      '--store',
      'dynamodb',
      '--table',
      'nope',
      '--endpoint',
      'http://127.0.0.1:9',
    ]);
    expect(dynamo.code).toBe(1);
    expect(readFileSync(log, 'utf8')).toContain('@aws-sdk/client-dynamodb');
  });

  it('runs as npx baton from the repository root, and keeps baton --help for serve', async () => {
    const help = await run('npx', ['--no-install', 'baton', 'sessions', '--help']);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/^Usage: baton sessions <command>/);
    const top = await baton(['--help']);
    expect(top.out).toContain('baton serve');
    expect(top.out).toContain('baton sessions ...');
  });
});
