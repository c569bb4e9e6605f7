import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CorruptRecordError, isRetryable } from '@baton/core';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from './sqlite-store.js';

const dir = mkdtempSync(join(tmpdir(), 'baton-sqlite-corrupt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Found by the reliability suite (issue 7): a row edited behind the store's back failed with a bare
// SyntaxError, which HTTP answered as "internal" and queue adapters retried as if it were transient.
describe('SqliteStore with damaged rows', () => {
  it('throws CorruptRecordError a retry cannot fix when a stored head is not JSON', async () => {
    const path = join(dir, 'damaged.db');
    const store = new SqliteStore({ path });
    const ref = { tenant: 'acme', sessionId: 'damaged' };
    const db = new Database(path);
    db.prepare(
      'INSERT INTO heads (tenant, session_id, version, seq, status, updated_at, record) VALUES (?, ?, 1, 0, ?, 0, ?)',
    ).run(ref.tenant, ref.sessionId, 'idle', '{"v":2,"tenant":');
    db.close();

    for (const read of [store.readHead(ref), store.load(ref)]) {
      const error = await read.then(
        () => undefined,
        (failure: unknown) => failure,
      );
      expect(error).toBeInstanceOf(CorruptRecordError);
      expect(error).toMatchObject({ code: 'corrupt_record' });
      expect(isRetryable(error)).toBe(false);
    }
    await store.close();
  });
});
