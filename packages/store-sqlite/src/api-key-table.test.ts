import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ApiKeyRecord, CorruptRecordError, SCHEMA_VERSION } from '@baton/core';
import { newHead } from '@baton/core/store';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from './sqlite-store.js';

const dir = mkdtempSync(join(tmpdir(), 'baton-sqlite-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshPath = () => join(dir, `store-${++files}`, 'sessions.db');

const key: ApiKeyRecord = {
  keyId: 'abcdefghijklmnop',
  tenant: 'acme',
  scopes: ['send', 'read'],
  secretHash: 'f'.repeat(64),
  createdAt: 1_000,
};

describe('SqliteStore api keys', () => {
  it('adds the key table to a file of the previous SQL schema and keeps its sessions', async () => {
    const path = freshPath();
    const ref = { tenant: 'acme', sessionId: 's1' };
    const first = new SqliteStore({ path });
    const head = { ...newHead('acme', 's1', 'agent', 1_000), version: 1, seq: 1, lastInputSeq: 1 };
    const event = {
      kind: 'input' as const,
      text: 'hi',
      source: 'test',
      v: SCHEMA_VERSION,
      seq: 1,
      at: 1_000,
    };
    await first.commit({ ref, expectedVersion: null, head, events: [event] });
    await first.close();
    // What a file written before API keys (schema 2, before the dedupe age column too) looks like.
    const raw = new Database(path);
    raw.exec(
      'DROP TABLE live_watch; DROP TABLE live; DROP TABLE api_keys; DROP INDEX dedupe_by_age; ALTER TABLE dedupe DROP COLUMN recorded_at',
    );
    raw.pragma('user_version = 2');
    raw.close();

    const upgraded = new SqliteStore({ path });
    await upgraded.apiKeys.createApiKey(key);

    expect(await upgraded.apiKeys.getApiKey(key.keyId)).toStrictEqual(key);
    expect(await upgraded.load(ref)).toEqual({ head, events: [event] });
    await upgraded.close();
  });

  it('sees a key another connection created and revoked, with no cache in between', async () => {
    const path = freshPath();
    const reader = new SqliteStore({ path });
    const writer = new SqliteStore({ path });
    expect(await reader.apiKeys.getApiKey(key.keyId)).toBeNull();

    await writer.apiKeys.createApiKey(key);
    expect(await reader.apiKeys.getApiKey(key.keyId)).toStrictEqual(key);
    await writer.apiKeys.revokeApiKey(key.keyId, 2_000);

    expect(await reader.apiKeys.getApiKey(key.keyId)).toStrictEqual({ ...key, revokedAt: 2_000 });
    await Promise.all([reader.close(), writer.close()]);
  });

  it('fails with CorruptRecordError on a key row that is not a key record', async () => {
    const path = freshPath();
    const store = new SqliteStore({ path });
    await store.apiKeys.createApiKey(key);
    const raw = new Database(path);
    raw
      .prepare('UPDATE api_keys SET record = ? WHERE key_id = ?')
      .run('{"keyId":"x","scopes":"all"}', key.keyId);
    raw.close();

    await expect(store.apiKeys.getApiKey(key.keyId)).rejects.toBeInstanceOf(CorruptRecordError);
    await expect(store.apiKeys.listApiKeys()).rejects.toBeInstanceOf(CorruptRecordError);
    await store.close();
  });
});
