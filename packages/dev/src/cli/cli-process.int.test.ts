import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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

  it('creates a key once, lists it without its secret, revokes it, and refuses bad input', async () => {
    const created = await baton(
      ['keys', 'create', '--tenant', 'acme', '--scopes', 'read,approve', '--name', 'ci'],
      {
        cwd: dir,
        env: { BATON_DB: 'keys.db' },
      },
    );
    expect(created.code).toBe(0);
    const key = created.out.trim();
    expect(key).toMatch(/^bk_[a-z2-7]{16}_[A-Za-z0-9_-]{43}$/);
    const keyId = key.split('_')[1]!;
    expect(created.err).toContain(`created key ${keyId} for tenant acme (scopes read, approve; name ci)`);
    expect(created.err).not.toContain(key);
    const list = await baton(['keys', 'list', '--db', 'keys.db'], { cwd: dir });
    expect(list.code).toBe(0);
    expect(list.out).toMatch(new RegExp(`^${keyId}\\s+acme\\s+read,approve\\s+ci\\s+\\d{4}-`, 'm'));
    const json = await baton(['keys', 'list', '--db', 'keys.db', '--json', '--tenant', 'acme'], { cwd: dir });
    const listed = JSON.parse(json.out) as Record<string, unknown>;
    expect(listed).toMatchObject({ keyId, tenant: 'acme', scopes: ['read', 'approve'], name: 'ci' });
    expect(listed).not.toHaveProperty('secretHash');
    // The file holds the hash of the secret, never the key or the secret.
    const file = readFileSync(join(dir, 'keys.db')).toString('latin1');
    expect(file).not.toContain(key.slice(`bk_${keyId}_`.length));
    const revoked = await baton(['keys', 'revoke', keyId, '--db', 'keys.db'], { cwd: dir });
    expect(revoked.code).toBe(0);
    expect(revoked.out).toContain(`revoked key ${keyId} of tenant acme`);
    const after = await baton(['keys', 'list', '--db', 'keys.db', '--json'], { cwd: dir });
    expect(JSON.parse(after.out)).toHaveProperty('revokedAt');

    const badScope = await baton(
      ['keys', 'create', '--tenant', 'acme', '--scopes', 'read,root', '--db', 'keys.db'],
      {
        cwd: dir,
      },
    );
    expect(badScope.code).toBe(2);
    expect(badScope.err).toMatch(/^baton: unknown scope root: use send, read, approve, admin\n/);
    const badTenant = await baton(['keys', 'create', '--tenant', 'a b', '--db', 'keys.db'], { cwd: dir });
    expect(badTenant.code).not.toBe(0);
    expect(badTenant.err.split('\n')[0]).toMatch(/^baton: .*tenant/);
    const noTenant = await baton(['keys', 'create', '--db', 'keys.db'], { cwd: dir });
    expect(noTenant.code).toBe(2);
    const unknown = await baton(['keys', 'revoke', 'abcdefghijklmnop', '--db', 'keys.db'], { cwd: dir });
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/^baton: no API key abcdefghijklmnop in SQLite .*keys\.db\n$/);
  });

  it('refuses to serve beyond loopback when the app has no auth, in one line naming the fix', async () => {
    // A config without auth (this repository's has one), where its imports resolve: under the repo.
    mkdirSync(join(ROOT, '.baton'), { recursive: true });
    const project = mkdtempSync(join(ROOT, '.baton', 'no-auth-'));
    const config = join(project, 'baton.config.mjs');
    writeFileSync(
      config,
      "import { defineBaton } from '@baton/core';\nimport { createExampleAgent } from '@baton/example-agent';\nexport default defineBaton({ agents: [createExampleAgent()] });\n",
    );
    const served = await baton(['serve', '--config', config], {
      env: { HOST: '0.0.0.0', PORT: '0', BATON_DATA_DIR: join(dir, 'refused') },
    });
    expect(served.code).toBe(2);
    expect(served.err).toMatch(
      /^baton: HOST=0\.0\.0\.0 .*no auth: add `auth: apiKeys\(\)`.*HOST=127\.0\.0\.1\n$/,
    );
    expect(served.out).toBe('');
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
