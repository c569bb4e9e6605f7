import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from './sqlite-store.js';

const here = dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'baton-sqlite-processes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runWriter(args: string[]): Promise<{ writer: string; retries: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(here, 'test-writer-process.ts'), ...args],
      {
        cwd: here,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(JSON.parse(stdout));
      else reject(new Error(`writer ${args[3]} exited with ${code}: ${stderr}`));
    });
  });
}

describe('SqliteStore across processes', () => {
  it('numbers the commits of 4 processes on one new file without gaps or losses', async () => {
    const path = join(dir, 'shared', 'sessions.db');
    const ref = { tenant: 'acme', sessionId: 'shared/session' };
    const writers = ['p0', 'p1', 'p2', 'p3'];
    const perWriter = 25;

    // The file does not exist yet: the processes also race to create its schema and the session.
    await Promise.all(
      writers.map((writer) => runWriter([path, ref.tenant, ref.sessionId, writer, String(perWriter)])),
    );

    const store = new SqliteStore({ path });
    try {
      const events = await store.readEvents(ref);
      const total = writers.length * perWriter;
      expect(events.map((event) => event.seq)).toEqual(
        Array.from({ length: total }, (_, index) => index + 1),
      );
      const texts = events.map((event) => (event.kind === 'input' ? event.text : event.kind)).sort();
      const expected = writers.flatMap((writer) =>
        Array.from({ length: perWriter }, (_, index) => `${writer}:${index}`),
      );
      expect(texts).toEqual(expected.sort());
      expect(await store.readHead(ref)).toMatchObject({ seq: total, version: total });
    } finally {
      await store.close();
    }
  }, 120_000);
});
