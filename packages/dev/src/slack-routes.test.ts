import type { IncomingMessage } from 'node:http';
import { createBaton, MemoryStore, type RunMessage, silentLogger } from '@baton/core';
import { createExampleAgent, offlineDemoModel } from '@baton/example-agent';
import { createSlackChannel } from '@baton/slack';
import { mentionBody, signedSlackRequest } from '@baton/slack/testing';
import { describe, expect, it } from 'vitest';
import { slackRoutes, slackSettingsFromEnvironment } from './slack-routes.js';

const SECRET = 'test-signing-secret';

function setup() {
  const sent: RunMessage[] = [];
  const baton = createBaton({
    store: new MemoryStore(),
    agents: [createExampleAgent(offlineDemoModel())],
    queue: {
      async enqueue(message) {
        sent.push(message);
      },
    },
    logger: silentLogger,
  });
  const slack = createSlackChannel({ baton, signingSecret: SECRET, botToken: 'xoxb-test-token' });
  const passedOn: string[] = [];
  const routes = slackRoutes(slack, async (_request, _body, url) => {
    passedOn.push(url.pathname);
    return { status: 200, headers: {}, raw: 'console' };
  });
  const call = (method: string, path: string, body: string, headers: IncomingMessage['headers'] = {}) =>
    routes(
      { method, headers } as IncomingMessage,
      body,
      new URL(path, 'http://localhost'),
      new AbortController().signal,
    );
  return { sent, passedOn, call };
}

describe('slackRoutes', () => {
  it('records and enqueues a signed event when it is posted to /slack/events', async () => {
    const { call, sent } = setup();
    const body = mentionBody({ eventId: 'Ev1', text: 'hello', ts: '1767225600.000100' });
    const { headers } = signedSlackRequest(body, { secret: SECRET, now: Date.now() });
    const response = await call('POST', '/slack/events', body, headers);
    expect(response).toEqual({
      status: 200,
      headers: { 'content-type': 'application/json' },
      raw: '{"ok":true,"duplicate":false}',
    });
    expect(sent).toHaveLength(1);
  });

  it('passes other requests on to the next routes when the path or the method is not Slack’s', async () => {
    const { call, passedOn } = setup();
    await call('GET', '/console', '');
    await call('GET', '/slack/events', '');
    expect(passedOn).toEqual(['/console', '/slack/events']);
  });
});

describe('slackSettingsFromEnvironment', () => {
  it('configures Slack only when its settings are present', () => {
    expect(slackSettingsFromEnvironment({})).toBeUndefined();
    expect(
      slackSettingsFromEnvironment({
        SLACK_SIGNING_SECRET: 's',
        SLACK_BOT_TOKEN: 'xoxb-1',
        SLACK_API_URL: 'http://127.0.0.1:9/api/',
      }),
    ).toEqual({ signingSecret: 's', botToken: 'xoxb-1', slackApiUrl: 'http://127.0.0.1:9/api/' });
  });
});
