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
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT, holdOpenAiConversation, openAiConversationModel } from './openai-conversation.js';

let app: LocalApp;
let dataDir: string;
const keys: Record<string, string> = {};

async function createKey(dbPath: string, tenant: string, scopes: Scope[]): Promise<string> {
  const { key, record } = generateApiKey({ tenant, scopes }, systemClock);
  const store = new SqliteStore({ path: dbPath });
  await store.apiKeys.createApiKey(record);
  await store.close();
  return key;
}

function client(key = keys.full!, options: Partial<ConstructorParameters<typeof OpenAI>[0]> = {}): OpenAI {
  return new OpenAI({ apiKey: key, baseURL: `${app.url}/v1`, maxRetries: 0, ...options });
}

async function session(sessionId: string, key = keys.full!): Promise<SessionView> {
  const response = await fetch(`${app.url}/sessions/${encodeURIComponent(sessionId)}`, {
    headers: { authorization: `Bearer ${key}` },
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { session: SessionView }).session;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'baton-openai-'));
  const dbPath = join(dataDir, 'baton.db');
  keys.full = await createKey(dbPath, 'acme', ['send', 'read', 'approve']);
  keys.readOnly = await createKey(dbPath, 'acme', ['read']);
  keys.sendOnly = await createKey(dbPath, 'acme', ['send', 'read']);
  keys.other = await createKey(dbPath, 'globex', ['send', 'read', 'approve']);
  app = await startLocalApp(
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
});

afterAll(async () => {
  await app?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the OpenAI-compatible API on the local server (the real openai SDK, SQLite)', () => {
  it('holds a multi-turn conversation through /v1/responses, streamed and not, with a tool call and an approval', async () => {
    const transcript = await holdOpenAiConversation({ client: client(), session: (id) => session(id) });
    expect(transcript.responses).toHaveLength(4);
  });

  it('lists the agents as models', async () => {
    const models = await client().models.list();
    expect(models.data.map((model) => model.id)).toEqual([AGENT]);
  });
});
