import azureFunctions from '@azure/functions';
import { createBaton, MemoryStore, type RunMessage, silentLogger } from '@baton/core';
import { createExampleAgent, offlineDemoModel } from '@baton/example-agent';
import { slackChannelFromEnvironment, slackRoute } from '@baton/slack';
import { mentionBody, signedSlackRequest } from '@baton/slack/testing';
import { describe, expect, it } from 'vitest';
import { createAzureBaton } from './azure-baton.js';
import { createHttpHandler } from './http-handler.js';
import { invocationContext } from './test-fixtures.js';

// @azure/functions is CommonJS: the classes come through the default import under Node's ESM loader.
const { HttpRequest } = azureFunctions;

const SECRET = 'test-signing-secret';
const base = {
  AzureWebJobsStorage: 'UseDevelopmentStorage=true',
  BATON_QUEUE_NAME: 'runs',
  BATON_STORE: 'memory',
};

function app(withSlack: boolean) {
  const sent: RunMessage[] = [];
  const baton = createBaton({
    store: new MemoryStore(),
    agents: [createExampleAgent(offlineDemoModel())],
    queue: { enqueue: async (message) => void sent.push(message) },
    logger: silentLogger,
  });
  const env = withSlack ? { SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: 'xoxb-test-token' } : {};
  const slack = slackChannelFromEnvironment(baton, env);
  const http = createHttpHandler(baton, { timeoutMs: 600_000, ...(slack ? { slack } : {}) });
  const post = (path: string, bytes: Uint8Array, headers: Record<string, string>) =>
    http(
      new HttpRequest({
        method: 'POST',
        url: `https://baton-func.azurewebsites.net/api${path}`,
        headers,
        body: { bytes },
      }),
      invocationContext(),
    );
  return { slack, sent, post };
}

describe('slackRoute', () => {
  it('names the kind when a POST reaches one of the Slack URLs', () => {
    expect(slackRoute('POST', '/slack/events')).toEqual({ kind: 'events' });
    expect(slackRoute('POST', '/slack/interactivity')).toEqual({ kind: 'interactivity' });
    expect(slackRoute('POST', '/slack/commands')).toEqual({ kind: 'commands' });
    expect(slackRoute('POST', '/slack')).toEqual({});
    expect(slackRoute('GET', '/slack/events')).toBeNull();
  });
});

describe('createAzureBaton with Slack settings', () => {
  it('configures the Slack channel only when the settings are present', () => {
    expect(createAzureBaton(base, { logger: silentLogger }).slack).toBeUndefined();
    const env = { ...base, SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APPROVERS: 'U1' };
    expect(createAzureBaton(env, { logger: silentLogger }).slack).toMatchObject({ approvers: ['U1'] });
  });

  it('stops the app at start when only one of the two settings is present', () => {
    expect(() =>
      createAzureBaton({ ...base, SLACK_SIGNING_SECRET: SECRET }, { logger: silentLogger }),
    ).toThrow(/SLACK_BOT_TOKEN/);
  });
});

describe('createHttpHandler with Slack', () => {
  it('verifies the bytes as received when the body starts with a byte-order mark', async () => {
    const { post, sent } = app(true);
    // Text decoding would drop the BOM and break the signature; the bytes are verified as sent.
    const body = `\uFEFF${mentionBody({ eventId: 'Ev1', text: 'hello', ts: '1767225600.000100' })}`;
    const headers = signedSlackRequest(body, { secret: SECRET, now: Date.now() }).headers as Record<
      string,
      string
    >;
    const response = await post('/slack', Buffer.from(body, 'utf8'), headers);
    expect(response.status).toBe(200);
    expect(sent).toHaveLength(1);
  });

  it('leaves /slack/events to the API when Slack is not configured', async () => {
    const { post } = app(false);
    const body = mentionBody({ eventId: 'Ev1', text: 'hello', ts: '1767225600.000100' });
    const response = await post('/slack/events', Buffer.from(body), { 'content-type': 'application/json' });
    expect(response).toMatchObject({ status: 404, jsonBody: { error: { code: 'not_found' } } });
  });
});
