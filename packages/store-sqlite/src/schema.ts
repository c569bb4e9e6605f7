import { SchemaVersionError } from '@baton/core';
import type Database from 'better-sqlite3';

/**
 * The SQL schema, one entry per version of it; `PRAGMA user_version` records how many have been
 * applied. Append new entries, never edit old ones: a file created by an older Baton is upgraded in
 * place on open. (The JSON records inside have their own schema version, handled by core.)
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE heads (
    tenant     TEXT    NOT NULL,
    session_id TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    seq        INTEGER NOT NULL,
    status     TEXT    NOT NULL,
    updated_at INTEGER NOT NULL,
    record     TEXT    NOT NULL,
    PRIMARY KEY (tenant, session_id)
  );
  -- list pages are read newest first, within a tenant or across all of them.
  CREATE INDEX heads_by_tenant_recency ON heads (tenant, updated_at DESC, session_id);
  CREATE INDEX heads_by_recency ON heads (updated_at DESC, tenant, session_id);

  CREATE TABLE events (
    tenant     TEXT    NOT NULL,
    session_id TEXT    NOT NULL,
    seq        INTEGER NOT NULL,
    record     TEXT    NOT NULL,
    PRIMARY KEY (tenant, session_id, seq)
  );

  CREATE TABLE dedupe (
    tenant     TEXT NOT NULL,
    session_id TEXT NOT NULL,
    dedupe_key TEXT NOT NULL,
    record     TEXT NOT NULL,
    PRIMARY KEY (tenant, session_id, dedupe_key)
  );
  `,
  `
  -- 1 while the head may have pending work (core's hasPendingWork), written with the head. The
  -- partial index holds only those rows, so the sweeper's query never reads idle sessions.
  ALTER TABLE heads ADD COLUMN pending INTEGER NOT NULL DEFAULT 0;
  UPDATE heads SET pending = 1
    WHERE status = 'running' OR (status = 'waiting_approval' AND CASE WHEN json_valid(record)
      THEN json_extract(record, '$.lastInputSeq') > json_extract(record, '$.processedSeq') ELSE 0 END);
  CREATE INDEX heads_pending ON heads (updated_at, tenant, session_id) WHERE pending = 1;
  -- list pages filtered by status across tenants (the console's quick links) read this index.
  CREATE INDEX heads_by_status_recency ON heads (status, updated_at DESC, tenant, session_id);
  `,
  `
  -- API keys, outside every session: the hash of the secret only, never the key itself.
  CREATE TABLE api_keys (
    key_id      TEXT    NOT NULL PRIMARY KEY,
    tenant      TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER,
    record      TEXT    NOT NULL
  );
  -- listApiKeys of one tenant reads this index in the order it returns.
  CREATE INDEX api_keys_by_tenant ON api_keys (tenant, created_at, key_id);
  `,
  `
  -- When each dedupe record was written (its record's \`at\`), computed by SQLite so no write
  -- path changes; NULL for a record that is not JSON, which is then never pruned. The index lets
  -- the pruner find the oldest rows without reading the others (dedupe-prune.ts).
  ALTER TABLE dedupe ADD COLUMN recorded_at INTEGER
    GENERATED ALWAYS AS (CASE WHEN json_valid(record) THEN json_extract(record, '$.at') END) VIRTUAL;
  CREATE INDEX dedupe_by_age ON dedupe (recorded_at);
  `,
  `
  -- The in-flight model call's output per session (core's LiveStore), overwritten as it streams:
  -- outside the heads and events, so writing it never touches a commit's rows or the log.
  CREATE TABLE live (
    tenant     TEXT    NOT NULL,
    session_id TEXT    NOT NULL,
    expires_at INTEGER NOT NULL,
    record     TEXT    NOT NULL,
    PRIMARY KEY (tenant, session_id)
  );
  -- Rows a crashed run left behind are found by age without reading the others (live-table.ts).
  CREATE INDEX live_by_expiry ON live (expires_at);
  `,
  `
  -- Until when someone outside the runner's process follows each session (LiveStore.watch): apart
  -- from the live row, so the runner's snapshot writes never replace it. Pruned with the live rows.
  CREATE TABLE live_watch (
    tenant     TEXT    NOT NULL,
    session_id TEXT    NOT NULL,
    until      INTEGER NOT NULL,
    PRIMARY KEY (tenant, session_id)
  );
  `,
];

export const SQL_SCHEMA_VERSION = MIGRATIONS.length;

/** Sets the connection up for several processes sharing the file, and brings its schema up to date. */
export function prepareDatabase(db: Database.Database, busyTimeoutMs: number): void {
  // Set first, so every later step (the WAL switch included) waits for other processes' locks.
  db.pragma(`busy_timeout = ${busyTimeoutMs}`);
  // WAL lets readers in other processes go on while one writer commits.
  db.pragma('journal_mode = WAL');
  migrate(db);
}

/**
 * Brings the file's SQL schema up to date. Runs under a write lock, so processes that open a new
 * file at the same moment apply each migration exactly once.
 */
function migrate(db: Database.Database): void {
  db.transaction(() => {
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current > MIGRATIONS.length) throw new SchemaVersionError('SQLite schema', current);
    for (const migration of MIGRATIONS.slice(current)) db.exec(migration);
    if (current < MIGRATIONS.length) db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
}
