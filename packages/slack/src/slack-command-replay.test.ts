import { createBaton, silentLogger } from '@baton/core';
import { createExampleAgent, offlineDemoModel } from '@baton/example-agent';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSlackChannel } from './slack-channel.js';
import { handleSlackHttp, type SlackHttpRequest } from './slack-http.js';
import { COMMAND_THREAD, slackSessionRef } from './slack-session.js';
import { signedSlackRequest } from './testing/sign-slack-request.js';
import { ArrayRunQueue, type SlackHarness, startSlackHarness } from './testing/slack-harness.js';
import { slashCommandBody } from './testing/slack-payloads.js';

const commandSession = slackSessionRef({ teamId: 'T0TEAM', channel: 'C0CHAN', thread: COMMAND_THREAD });

describe('slash command replay', () => {
  let h: SlackHarness;

  beforeEach(async () => {
    h = await startSlackHarness({ agents: [createExampleAgent(offlineDemoModel())] });
  });

  afterEach(async () => {
    await h.close();
  });

  /** A command signed now, exactly as Slack would send it; sending it again is a byte-for-byte replay. */
  function signed(text: string, triggerId: string): SlackHttpRequest {
    return signedSlackRequest(slashCommandBody({ text, triggerId }), {
      secret: h.secret,
      now: h.clock.now(),
      kind: 'commands',
    });
  }

  async function send(request: SlackHttpRequest, slack = h.slack): Promise<string> {
    const response = await handleSlackHttp(slack, request, h.clock.now());
    expect(response.status).toBe(200);
    return (JSON.parse(response.body) as { text: string }).text;
  }

  async function inputs(): Promise<string[]> {
    const events = await h.store.readEvents(commandSession);
    return events.flatMap((event) => (event.kind === 'input' ? [event.text] : []));
  }

  it('resets once when a captured /baton reset is replayed inside the signature window', async () => {
    await send(signed('first question', 't1'));
    const reset = signed('reset', 't2');
    expect(await send(reset)).toContain('Reset');
    expect(await h.store.readHead(commandSession)).toBeNull();
    h.clock.advance(60_000);
    await send(signed('second question', 't3'));
    h.clock.advance(60_000);
    expect(await send(reset)).toContain('Already done');
    expect(await inputs()).toEqual(['second question']);
  });

  it('refuses the replay on another instance that shares only the store', async () => {
    const reset = signed('reset', 't2');
    expect(await send(reset)).toContain('Reset');
    await send(signed('after the reset', 't3'));
    const otherBaton = createBaton({
      store: h.store,
      agents: [createExampleAgent(offlineDemoModel())],
      queue: new ArrayRunQueue(),
      clock: h.clock,
      logger: silentLogger,
    });
    const otherInstance = createSlackChannel({
      baton: otherBaton,
      signingSecret: h.secret,
      botToken: 'xoxb-test-token',
      slackApiUrl: h.api.url,
    });
    h.clock.advance(4 * 60_000);
    expect(await send(reset, otherInstance)).toContain('Already done');
    expect(await inputs()).toEqual(['after the reset']);
  });

  it('asks once when a question is replayed after a reset wiped its session', async () => {
    const question = signed('what is new', 't1');
    await send(question);
    await send(signed('reset', 't2'));
    h.clock.advance(30_000);
    expect(await send(question)).toContain('Already done');
    expect(await h.store.readHead(commandSession)).toBeNull();
    expect(h.queue.messages.filter((m) => m.message.sessionId === commandSession.sessionId)).toHaveLength(1);
  });

  it('acts once when two deliveries of the same command race', async () => {
    await send(signed('keep this', 't1'));
    const reset = signed('reset', 't2');
    const answers = await Promise.all([send(reset), send(reset), send(reset)]);
    expect(answers.filter((text) => text.includes('Reset'))).toHaveLength(1);
    expect(answers.filter((text) => text.includes('Already done'))).toHaveLength(2);
  });

  it('acts on the same words sent again as a new command (a new signature)', async () => {
    expect(await send(signed('reset', 't1'))).toContain('Reset');
    h.clock.advance(1_000);
    expect(await send(signed('reset', 't2'))).toContain('Reset');
  });

  it('refuses a replay after the signature window as too old, without acting', async () => {
    await send(signed('first', 't1'));
    const reset = signed('reset', 't2');
    h.clock.advance(6 * 60_000);
    const response = await handleSlackHttp(h.slack, reset, h.clock.now());
    expect(response.status).toBe(401);
    expect(await inputs()).toEqual(['first']);
  });
});
