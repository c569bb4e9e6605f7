import { createExampleAgent, offlineDemoModel } from '@baton/example-agent';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { COMMAND_THREAD, slackSessionRef } from './slack-session.js';
import { type SlackHarness, startSlackHarness } from './testing/slack-harness.js';
import { mentionBody, slashCommandBody } from './testing/slack-payloads.js';

const TS = '1767225600.000100';

describe('handleSlackHttp slash commands', () => {
  let h: SlackHarness;

  beforeEach(async () => {
    h = await startSlackHarness({ agents: [createExampleAgent(offlineDemoModel())] });
  });

  afterEach(async () => {
    await h.close();
  });

  async function command(text: string, options: { triggerId?: string; channel?: string } = {}) {
    const response = await h.request(slashCommandBody({ text, ...options }));
    return {
      status: response.status,
      body: JSON.parse(response.body) as { response_type: string; text: string },
    };
  }

  it('asks the agent and answers in the channel when the command has a question', async () => {
    const result = await command('ask what time is it');
    expect(result).toEqual({
      status: 200,
      body: { response_type: 'ephemeral', text: expect.stringContaining('Asked') },
    });
    await h.drain();
    const ref = slackSessionRef({ teamId: 'T0TEAM', channel: 'C0CHAN', thread: COMMAND_THREAD });
    expect((await h.baton.events(ref))[0]).toMatchObject({
      kind: 'input',
      text: 'what time is it',
      sender: 'UALICE',
    });
    const [post] = h.api.callsTo('chat.postMessage');
    expect(post!.args.channel).toBe('C0CHAN');
    expect(post!.args.thread_ts).toBeUndefined();
    expect(h.api.messages[0]!.text).toContain('You said: what time is it');
  });

  it('answers with help when the command is empty or asks for it', async () => {
    expect((await command('')).body.text).toContain('/baton reset');
    expect((await command('help')).body.text).toContain('/baton <question>');
    expect(h.queue.messages).toEqual([]);
  });

  it('deletes the thread session when reset gets a link to a message in that thread', async () => {
    await h.request(mentionBody({ eventId: 'Ev1', text: 'note buy milk', ts: TS }));
    await h.drain();
    const ref = slackSessionRef({ teamId: 'T0TEAM', channel: 'C0CHAN', thread: TS });
    expect(await h.store.readHead(ref)).not.toBeNull();
    const link =
      '<https://acme.slack.com/archives/C0CHAN/p1767225700000200?thread_ts=1767225600.000100&cid=C0CHAN>';
    expect((await command(`reset ${link}`)).body.text).toContain('Reset');
    expect(await h.store.readHead(ref)).toBeNull();
  });

  it('refuses to reset a thread of another channel', async () => {
    await h.request(mentionBody({ eventId: 'Ev1', text: 'hi', ts: TS }));
    const ref = slackSessionRef({ teamId: 'T0TEAM', channel: 'C0CHAN', thread: TS });
    const result = await command('reset https://acme.slack.com/archives/C0CHAN/p1767225600000100', {
      channel: 'C0ELSE',
    });
    expect(result.body.text).toContain('another channel');
    expect(await h.store.readHead(ref)).not.toBeNull();
  });

  it('deletes the channel command session when reset has no link', async () => {
    await command('hello', { triggerId: 't1' });
    const ref = slackSessionRef({ teamId: 'T0TEAM', channel: 'C0CHAN', thread: COMMAND_THREAD });
    expect(await h.store.readHead(ref)).not.toBeNull();
    await command('reset');
    expect(await h.store.readHead(ref)).toBeNull();
  });

  it('records a command once when the same trigger arrives twice, signed at another time', async () => {
    await command('hello', { triggerId: 't1' });
    h.clock.advance(1_000);
    expect((await command('hello', { triggerId: 't1' })).body.text).toBe('Already asked.');
    const ref = slackSessionRef({ teamId: 'T0TEAM', channel: 'C0CHAN', thread: COMMAND_THREAD });
    expect(await h.baton.events(ref)).toHaveLength(1);
  });
});
