import { createExampleAgent, offlineDemoModel } from '@baton/example-agent';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { COMMAND_THREAD, slackSessionRef } from './slack-session.js';
import { type SlackHarness, startSlackHarness } from './testing/slack-harness.js';
import { slashCommandBody } from './testing/slack-payloads.js';

describe('/baton cancel', () => {
  let h: SlackHarness;

  beforeEach(async () => {
    h = await startSlackHarness({ agents: [createExampleAgent(offlineDemoModel())] });
  });

  afterEach(async () => {
    await h.close();
  });

  async function command(text: string, triggerId: string) {
    const response = await h.request(slashCommandBody({ text, triggerId }));
    return (JSON.parse(response.body) as { text: string }).text;
  }

  it('stops the run of the channel command conversation, recorded as the Slack user, once', async () => {
    expect(await command('cancel', 't0')).toContain('no conversation there yet');
    await command('ask what time is it', 't1');
    expect(await command('cancel', 't2')).toBe('Cancelled: the run stops.');
    await h.drain();
    const ref = slackSessionRef({ teamId: 'T0TEAM', channel: 'C0CHAN', thread: COMMAND_THREAD });
    const events = await h.baton.events(ref);
    expect(events.find((event) => event.kind === 'cancel')).toMatchObject({ via: 'slack' });
    expect(events.filter((event) => event.kind === 'run_finished')).toEqual([
      expect.objectContaining({ reason: 'cancelled' }),
    ]);
    expect(events.some((event) => event.kind === 'model_response')).toBe(false);
    expect(h.api.messages.map((message) => message.text)).toContain(
      ':no_entry_sign: Cancelled: I stopped working on this request.',
    );
    expect(await command('cancel', 't3')).toBe('Nothing to cancel: no run is in progress there.');
  });
});
