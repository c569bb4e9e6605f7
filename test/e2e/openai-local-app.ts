import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  apiKeys,
  defineBaton,
  generateApiKey,
  type Scope,
  type SessionView,
  silentLogger,
  systemClock,
} from '@baton/core';
import { type LocalApp, startLocalApp } from '@baton/dev';
import { createExampleAgent } from '@baton/example-agent';
import { SqliteStore } from '@baton/store-sqlite';
import OpenAI from 'openai';
import { openAiConversationModel } from './openai-conversation.js';

/** The keys of the local app: tenant acme with every scope, read only, send without approve; tenant globex. */
export type KeyName = 'full' | 'readOnly' | 'sendOnly' | 'other';

/** The local server (`baton serve`'s app, SQLite, API keys required) serving the example agent. */
export interface OpenAiLocalApp {
  app: LocalApp;
  keys: Record<KeyName, string>;
  /** An `openai` client at the app's /v1 (no retries, so errors surface as the SDK's classes). */
  client(key?: KeyName | string, options?: Partial<ConstructorParameters<typeof OpenAI>[0]>): OpenAI;
  /** `GET /sessions/{id}`. */
  session(sessionId: string, key?: KeyName): Promise<SessionView>;
  /** A raw request with a key's bearer token. */
  fetch(path: string, init?: RequestInit, key?: KeyName): Promise<Response>;
  stop(): Promise<void>;
}

/**
 * Starts the local app for the OpenAI-compatible tests, with four API keys in its store.
 *
 * @example
 *   const local = await startOpenAiLocalApp(); const reply = await local.client().responses.create({ ... });
 */
export async function startOpenAiLocalApp(): Promise<OpenAiLocalApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'baton-openai-'));
  const dbPath = join(dataDir, 'baton.db');
  const store = new SqliteStore({ path: dbPath });
  const create = async (tenant: string, scopes: Scope[]) => {
    const { key, record } = generateApiKey({ tenant, scopes }, systemClock);
    await store.apiKeys.createApiKey(record);
    return key;
  };
  const keys: Record<KeyName, string> = {
    full: await create('acme', ['send', 'read', 'approve']),
    readOnly: await create('acme', ['read']),
    sendOnly: await create('acme', ['send', 'read']),
    other: await create('globex', ['send', 'read', 'approve']),
  };
  await store.close();
  const app = await startLocalApp(
    defineBaton({ agents: [createExampleAgent(openAiConversationModel())], auth: apiKeys() }),
    {
      host: '127.0.0.1',
      port: 0,
      dataDir,
      dbPath,
      syncWaitMs: 10_000,
      runBudgetMs: 300_000,
      requireAuth: true,
    },
    { logger: silentLogger, env: {} },
  );
  const bearer = (key: KeyName | string) => (key in keys ? keys[key as KeyName] : key);
  const local: OpenAiLocalApp = {
    app,
    keys,
    client: (key = 'full', options = {}) =>
      new OpenAI({ apiKey: bearer(key), baseURL: `${app.url}/v1`, maxRetries: 0, ...options }),
    fetch: (path, init = {}, key = 'full') =>
      fetch(`${app.url}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${bearer(key)}`, ...(init.headers as Record<string, string>) },
      }),
    async session(sessionId, key = 'full') {
      const response = await local.fetch(`/sessions/${encodeURIComponent(sessionId)}`, {}, key);
      if (response.status !== 200) throw new Error(`GET /sessions/${sessionId}: ${response.status}`);
      return ((await response.json()) as { session: SessionView }).session;
    },
    async stop() {
      await app.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return local;
}
