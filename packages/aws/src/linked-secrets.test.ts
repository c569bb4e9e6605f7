import { createCipheriv, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineAgent, defineBaton, MemoryStore, silentLogger } from '@baton/core';
import { slack } from '@baton/slack';
import { ScriptedModel } from '@baton/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { createLambdaHandlers } from './lambda-handlers.js';
import { environmentWithSecrets, LINKED_SECRETS, linkedSecretValues } from './linked-secrets.js';

const dir = mkdtempSync(join(tmpdir(), 'baton-sst-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** resource.enc as SST writes it: AES-256-GCM, 12 zero bytes as nonce, the tag appended. */
function encryptedResources(resources: Record<string, unknown>): { SST_KEY: string; SST_KEY_FILE: string } {
  const key = randomBytes(32);
  const cipher = createCipheriv('aes-256-gcm', key, Buffer.alloc(12, 0));
  const body = Buffer.concat([cipher.update(JSON.stringify(resources)), cipher.final(), cipher.getAuthTag()]);
  const file = join(dir, `resource-${randomBytes(4).toString('hex')}.enc`);
  writeFileSync(file, body);
  return { SST_KEY: key.toString('base64'), SST_KEY_FILE: file };
}

const secret = (value: string) => ({ type: 'sst.sst.Secret', value });

describe('linked secrets', () => {
  it('copies each non-empty linked secret into its variable and leaves empty ones and set variables alone', () => {
    const sst = encryptedResources({
      App: { name: 'baton', stage: 'dev' },
      OpenAiApiKey: secret('sk-linked'),
      BedrockApiKey: secret(''),
      SlackBotToken: secret('xoxb-linked'),
      SlackSigningSecret: secret('signing-linked'),
    });
    const env = { ...sst, SLACK_SIGNING_SECRET: 'already-set' };
    expect(linkedSecretValues(env)).toEqual({ OPENAI_API_KEY: 'sk-linked', SLACK_BOT_TOKEN: 'xoxb-linked' });
    const withSecrets = environmentWithSecrets(env);
    expect(withSecrets.OPENAI_API_KEY).toBe('sk-linked');
    expect(withSecrets.SLACK_SIGNING_SECRET).toBe('already-set');
    expect('AWS_BEARER_TOKEN_BEDROCK' in withSecrets).toBe(false);
    expect('OPENAI_API_KEY' in env).toBe(false);
  });

  it('adds nothing without SST_KEY_FILE and fails with one line when the key does not open the file', () => {
    expect(linkedSecretValues({ OPENAI_API_KEY: 'sk' })).toEqual({});
    const sst = encryptedResources({ OpenAiApiKey: secret('sk') });
    expect(() => linkedSecretValues({ ...sst, SST_KEY: randomBytes(32).toString('base64') })).toThrow(
      /^cannot read the linked secrets in .*resource-.*\.enc with SST_KEY/,
    );
  });

  it('names the variables infra links', () => {
    expect(Object.values(LINKED_SECRETS).sort()).toEqual([
      'AWS_BEARER_TOKEN_BEDROCK',
      'AZURE_OPENAI_API_KEY',
      'OPENAI_API_KEY',
      'SLACK_BOT_TOKEN',
      'SLACK_SIGNING_SECRET',
    ]);
  });

  it('starts the handlers with the linked Slack secrets, so the Slack channel is on', () => {
    const sst = encryptedResources({
      SlackBotToken: secret('xoxb-linked'),
      SlackSigningSecret: secret('signing-linked'),
    });
    const withSlack = defineBaton({
      agents: [defineAgent({ name: 'helper', instructions: 'Help.', model: new ScriptedModel([]) })],
      channels: [slack()],
      auth: 'none',
    });
    const handlers = createLambdaHandlers(withSlack, {
      env: sst,
      store: new MemoryStore(),
      queue: { enqueue: async () => {} },
      logger: silentLogger,
    });
    expect(handlers.app.channels.map((channel) => channel.name)).toContain('slack');
    const without = createLambdaHandlers(withSlack, {
      env: {},
      store: new MemoryStore(),
      queue: { enqueue: async () => {} },
      logger: silentLogger,
    });
    expect(without.app.channels).toEqual([]);
  });
});
