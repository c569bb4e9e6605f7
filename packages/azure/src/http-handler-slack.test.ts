import azureFunctions from '@azure/functions';
import { createBatonApp, defineBaton, MemoryStore, type RunMessage, silentLogger } from '@baton/core';
import { createExampleAgent, offlineDemoModel } from '@baton/example-agent';
import { slack } from '@baton/slack';
import { mentionBody, signedSlackRequest } from '@baton/slack/testing';
import { describe, expect, it } from 'vitest';
import { createHttpHandler } from './http-handler.js';
import { invocationContext } from './test-fixtures.js';

// @azure/functions is CommonJS: the classes come through the default import under Node's ESM loader.
const { HttpRequest } = azureFunctions;

const SECRET = 'test-signing-secret';

/** The app with Slack as its channel; Slack is configured by the settings, as on Azure. */
function setup(withSlack: boolean) {
  const sent: RunMessage[] = [];
  const app = createBatonApp(
    defineBaton({ agents: [createExampleAgent(offlineDemoModel())], channels: [slack()] }),
    {
      store: new MemoryStore(),
      queue: { enqueue: async (message) => void sent.push(message) },
      logger: silentLogger,
      env: withSlack ? { SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: 'xoxb-test-token' } : {},
    },
  );
  const http = createHttpHandler(app, { timeoutMs: 600_000 });
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
  return { sent, post };
}

describe('createHttpHandler with a Slack channel', () => {
  it('hands Slack the bytes as received when the body starts with a byte-order mark', async () => {
    const { post, sent } = setup(true);
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

  it('leaves /slack/events to the API when the settings configure no Slack', async () => {
    const { post } = setup(false);
    const body = mentionBody({ eventId: 'Ev1', text: 'hello', ts: '1767225600.000100' });
    const response = await post('/slack/events', Buffer.from(body), { 'content-type': 'application/json' });
    expect(response.status).toBe(404);
    expect(JSON.parse(Buffer.from(response.body as Uint8Array).toString('utf8'))).toMatchObject({
      error: { code: 'not_found' },
    });
  });
});
