import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SqliteStore } from '@baton/store-sqlite';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { appendEvents, everyKind } from '../test-support/session-fixtures.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const BIN = join(ROOT, 'packages/dev/bin/baton.mjs');
const dir = mkdtempSync(join(tmpdir(), 'baton-serve-damaged-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function serve(dataDir: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve'], {
      cwd: ROOT,
      env: {
        ...process.env,
        BATON_STORE: '',
        BATON_DB: '',
        HOST: '127.0.0.1',
        PORT: '0',
        BATON_DATA_DIR: dataDir,
      },
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
    // A server that started anyway would run until killed: stop it so the test fails instead of hanging.
    const timer = setTimeout(() => child.kill('SIGTERM'), 30_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

// Issue 15, defect 8: a damaged SQLite file started normally and answered every request 500 `internal`.
describe('baton serve on a damaged store (child process)', () => {
  it('refuses to start, in one line naming the file and what to do, and exits non-zero', async () => {
    const dataDir = join(dir, 'garbage');
    mkdirSync(dataDir);
    const file = join(dataDir, 'baton.db');
    writeFileSync(file, Buffer.alloc(64 * 1024, 0x5a));
    const served = await serve(dataDir);
    expect(served.code).not.toBe(0);
    expect(served.code).not.toBeNull();
    expect(served.out).toBe('');
    expect(served.err).toMatch(
      /^baton: the SQLite store .*baton\.db is corrupt \(.*\): .*restore it from a backup or move it aside.*\n$/,
    );
    expect(served.err).toContain(file);
    expect(served.err.trimEnd().split('\n')).toHaveLength(1);
  }, 60_000);

  it('refuses a real store file whose pages were overwritten, where it used to start and answer 500', async () => {
    const dataDir = join(dir, 'damaged');
    const file = join(dataDir, 'baton.db');
    const store = new SqliteStore({ path: file });
    await appendEvents(store, { tenant: 'default', sessionId: 'hit' }, everyKind());
    await store.close();
    const db = new Database(file, { readonly: true });
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const pages = db.prepare("SELECT pageno FROM dbstat WHERE name = 'events'").all() as { pageno: number }[];
    db.close();
    const fd = openSync(file, 'r+');
    for (const { pageno } of pages)
      writeSync(fd, Buffer.alloc(pageSize, 0xff), 0, pageSize, (pageno - 1) * pageSize);
    closeSync(fd);

    const served = await serve(dataDir);
    expect(served.code).not.toBe(0);
    expect(served.out).toBe('');
    expect(served.err).toMatch(
      /^baton: the SQLite store .*baton\.db is corrupt \(.+\): .*move it aside.*\n$/,
    );
  }, 60_000);
});
