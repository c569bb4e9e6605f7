import { defineBaton, MemoryStore, silentLogger } from '@baton/core';
import { slack, slackChannelFromEnvironment, slackRoute } from '@baton/slack';
import { mentionBody, signedSlackRequest } from '@baton/slack/testing';
import { ScriptedModel } from '@baton/testing';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createHttpHandler } from './http-handler.js';
import { createLambdaHandlers } from './lambda-handlers.js';
import { type HttpEventChanges, httpEvent } from './test-support/fixtures.js';
import { lambdaContext } from './test-support/lambda-context.js';
import { RecordingQueue, testAgent, testApp } from './test-support/test-baton.js';

const SECRET = 'test-signing-secret';

function setup(options: { slack: boolean }) {
  const queue = new RecordingQueue();
  const { app, clock } = testApp({
    model: new ScriptedModel([]),
    queue,
    channels: [slack()],
    env: options.slack ? { SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: 'xoxb-test-token' } : {},
  });
  const handler = createHttpHandler(app);
  const invoke = async (fixture: 'http-api-v2' | 'function-url', changes: HttpEventChanges) =>
    (await handler(
      httpEvent(fixture, { method: 'POST', arrivedAt: clock.now(), ...changes }) as APIGatewayProxyEventV2,
      lambdaContext({ clock, budgetMs: 20_000 }),
    )) as APIGatewayProxyStructuredResultV2;
  const signed = (body: string) =>
    signedSlackRequest(body, { secret: SECRET, now: clock.now() }).headers as Record<string, string>;
  return { queue, invoke, signed };
}

describe('slackRoute', () => {
  it('names the kind when a POST reaches one of the Slack URLs', () => {
    expect(slackRoute('POST', '/slack/events')).toEqual({ kind: 'events' });
    expect(slackRoute('POST', '/slack/interactivity')).toEqual({ kind: 'interactivity' });
    expect(slackRoute('POST', '/slack/commands')).toEqual({ kind: 'commands' });
    expect(slackRoute('POST', '/slack')).toEqual({});
  });

  it('leaves the request to the API when the method or the path is not Slack’s', () => {
    expect(slackRoute('GET', '/slack/events')).toBeNull();
    expect(slackRoute('POST', '/slack/events/extra')).toBeNull();
    expect(slackRoute('POST', '/sessions/slack/messages')).toBeNull();
  });
});

describe('slackChannelFromEnvironment', () => {
  const { baton } = testApp({ model: new ScriptedModel([]) });

  it('configures no channel when neither Slack setting is present', () => {
    expect(slackChannelFromEnvironment(baton, {})).toBeUndefined();
  });

  it('stops the cold start when only one of the two settings is present', () => {
    expect(() => slackChannelFromEnvironment(baton, { SLACK_SIGNING_SECRET: 's' })).toThrow(
      /SLACK_BOT_TOKEN/,
    );
    expect(() => slackChannelFromEnvironment(baton, { SLACK_BOT_TOKEN: 'xoxb-1' })).toThrow(
      /SLACK_SIGNING_SECRET/,
    );
  });

  it('reads the approvers and the API URL when they are set', () => {
    const slack = slackChannelFromEnvironment(baton, {
      SLACK_SIGNING_SECRET: 's',
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_APPROVERS: 'U1, U2',
      SLACK_API_URL: 'http://127.0.0.1:1/api/',
    });
    expect(slack).toMatchObject({ approvers: ['U1', 'U2'], slackApiUrl: 'http://127.0.0.1:1/api/' });
  });
});

describe('createHttpHandler with the slack() channel', () => {
  it('stops the cold start when only one of the two Slack settings is present', () => {
    const definition = defineBaton({
      agents: [testAgent(new ScriptedModel([]))],
      channels: [slack()],
      auth: 'none',
    });
    expect(() =>
      createLambdaHandlers(definition, {
        store: new MemoryStore(),
        queue: new RecordingQueue(),
        env: { SLACK_SIGNING_SECRET: SECRET },
        logger: silentLogger,
      }),
    ).toThrow(/SLACK_BOT_TOKEN/);
  });

  it('verifies the body as sent when a Function URL passes it as plain text to the single /slack URL', async () => {
    const { invoke, signed, queue } = setup({ slack: true });
    const body = mentionBody({ eventId: 'Ev1', text: 'héllo ✓', ts: '1767225600.000100' });
    const response = await invoke('function-url', { path: '/slack', body, headers: signed(body) });
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(String(response.body))).toEqual({ ok: true, duplicate: false });
    expect(queue.sent).toHaveLength(1);
  });

  it('checks the signature over the exact decoded bytes when any body arrives base64-encoded', async () => {
    const { invoke, signed } = setup({ slack: true });
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme' }), async (text) => {
        // A leading BOM too: the bytes are verified as sent, never as text decoded and re-encoded.
        const body = `\uFEFF${text}`;
        const response = await invoke('http-api-v2', {
          path: '/slack/events',
          body,
          base64: true,
          headers: signed(body),
        });
        expect(response.statusCode).not.toBe(401);
      }),
      { numRuns: 50 },
    );
  });

  it('leaves /slack/events to the API when Slack is not configured', async () => {
    const { invoke } = setup({ slack: false });
    const body = mentionBody({ eventId: 'Ev1', text: 'hello', ts: '1767225600.000100' });
    const response = await invoke('http-api-v2', { path: '/slack/events', body, base64: true });
    expect(response.statusCode).toBe(404);
    expect(JSON.parse(String(response.body))).toMatchObject({ error: { code: 'not_found' } });
  });
});
