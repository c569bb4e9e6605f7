import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeStoreConformance } from '@baton/testing';
import { afterAll } from 'vitest';
import { SqliteStore } from './sqlite-store.js';
import { writeRawRows } from './test-support.js';

const dir = mkdtempSync(join(tmpdir(), 'baton-sqlite-conformance-'));
const path = join(dir, 'nested', 'folders', 'sessions.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let retentionFiles = 0;

describeStoreConformance('sqlite', {
  create: async ({ clock }) => new SqliteStore({ path, clock }),
  // Through a second connection, as another process would write: the store must not cache.
  writeRaw: async (_store, fixture) => writeRawRows(path, fixture),
  // Each retention store has a file of its own; `expire` runs the pruning commits would run.
  retention: {
    create: async ({ clock, ttlSeconds, dedupeTtlSeconds }) =>
      new SqliteStore({
        path: join(dir, `retention-${++retentionFiles}.db`),
        clock,
        ...(ttlSeconds === undefined ? {} : { sessionTtlMs: ttlSeconds * 1000 }),
        ...(dedupeTtlSeconds === undefined ? {} : { dedupeTtlMs: dedupeTtlSeconds * 1000 }),
      }),
    expire: async (store, now) => {
      await (store as SqliteStore).pruneExpired(now);
    },
    destroy: async (store) => store.close?.(),
  },
});
