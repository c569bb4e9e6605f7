import { createBaton, defineAgent, type Model, silentLogger } from '@baton/core';
import { offlineDemoModel } from '@baton/example-agent';
import {
  createSlackChannel,
  handleSlackHttp,
  REJECT_ACTION,
  type SlackChannel,
  slackSessionRef,
} from '@baton/slack';
import { blockActionsBody, mentionBody, signedSlackRequest } from '@baton/slack/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { SIGNING_SECRET, type SlackAzureWorld, slackAzureWorld } from './slack-test-world.js';

const THREAD = '1767225600.000100';
const ref = slackSessionRef({ teamId: 'T0TEAM', channel: 'C0CHAN', thread: THREAD });

/** The offline demo model, answering only once `release` was called. */
function gatedModel(): { model: Model; calls: () => number; release: () => void } {
  const inner = offlineDemoModel();
  let calls = 0;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const model: Model = {
    ...inner,
    generate: async (request) => {
      calls++;
      await gate;
      return inner.generate(request);
    },
    // Agents stream by default: the streamed call waits at the same gate.
    async *stream(request) {
      calls++;
      await gate;
      yield* inner.stream!(request);
    },
  };
  return { model, calls: () => calls, release };
}

function buttons(blocks: unknown): { action_id: string; value: string }[] {
  const list = (blocks ?? []) as { type: string; elements?: { action_id: string; value: string }[] }[];
  return list.flatMap((block) => (block.type === 'actions' ? (block.elements ?? []) : []));
}

async function queued(world: SlackAzureWorld): Promise<number> {
  return (await world.queue.client.getProperties()).approximateMessagesCount ?? 0;
}

describe('Slack on the Azure Functions handlers (HttpRequest + Storage Queue on Azurite, Cosmos DB)', () => {
  let world: SlackAzureWorld | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  it('acknowledges a mention before the model answers, then the queue trigger turns its placeholder into the reply', async () => {
    const gated = gatedModel();
    world = await slackAzureWorld({ model: gated.model });
    const ack = await world.post(mentionBody({ eventId: 'Ev1', text: 'hello there', ts: THREAD }));
    expect(ack).toMatchObject({ status: 200, body: JSON.stringify({ ok: true, duplicate: false }) });
    expect(gated.calls()).toBe(0);
    expect(world.api.calls).toEqual([]);

    gated.release();
    expect(await world.drain()).toEqual(['completed']);
    const [placeholder] = world.api.callsTo('chat.postMessage');
    expect(placeholder?.args).toMatchObject({
      channel: 'C0CHAN',
      thread_ts: THREAD,
      text: expect.stringContaining('Working'),
    });
    // Progress rewrites of the placeholder (the text so far) may come first; the answer is the last.
    const updates = world.api.callsTo('chat.update').map((call) => String(call.args.text));
    expect(updates.length).toBeGreaterThanOrEqual(1);
    expect(updates.at(-1)).toContain('You said: hello there');
    expect(world.api.thread('C0CHAN', THREAD).map((message) => message.text)).toEqual([
      expect.stringContaining('You said: hello there'),
    ]);
  });

  it('answers 401 and records nothing when a request is unsigned, stale or altered after signing', async () => {
    world = await slackAzureWorld({ model: offlineDemoModel() });
    const body = mentionBody({ eventId: 'Ev1', text: 'hello', ts: THREAD });
    const answers = [
      await world.post(body, { headers: { 'Content-Type': 'application/json' } }),
      await world.post(body, { signedAt: Date.now() - 6 * 60_000 }),
      await world.post(body, { sentBody: body.replace('hello', 'transfer all the money') }),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([401, 401, 401]);
    expect(await world.baton.store.readHead(ref)).toBeNull();
    expect(await queued(world)).toBe(0);
  });

  it('records nothing new and posts nothing new when Slack retries a delivered event', async () => {
    world = await slackAzureWorld({ model: offlineDemoModel() });
    const body = mentionBody({ eventId: 'Ev1', text: 'hello', ts: THREAD });
    await world.post(body);
    await world.drain();
    const events = await world.baton.events(ref);
    const calls = world.api.calls.length;

    for (const retryNum of [1, 2, 3]) {
      const retry = await world.post(body, { retryNum });
      expect(JSON.parse(String(retry.body))).toEqual({ ok: true, duplicate: true });
    }
    await world.drain();
    expect(await world.baton.events(ref)).toEqual(events);
    expect(world.api.calls).toHaveLength(calls);
    expect(world.api.thread('C0CHAN', THREAD)).toHaveLength(1);
  });

  it('resumes without running the tool when the Reject button of an approval is clicked', async () => {
    world = await slackAzureWorld({ model: offlineDemoModel() });
    await world.post(
      mentionBody({ eventId: 'Ev1', text: 'email bob@example.com Quarterly report', ts: THREAD }),
    );
    await world.drain();
    expect((await world.baton.session(ref)).status).toBe('waiting_approval');
    const approval = world.api.messages.find((message) => buttons(message.blocks).length > 0)!;
    const reject = buttons(approval.blocks).find((button) => button.action_id === REJECT_ACTION)!;

    const click = blockActionsBody({
      actionId: REJECT_ACTION,
      value: reject.value,
      user: 'UBOSS',
      messageTs: approval.ts,
      threadTs: THREAD,
    });
    expect((await world.post(click, { path: '/slack/interactivity' })).status).toBe(200);
    await world.drain();

    const session = await world.baton.session(ref);
    expect(session.status).toBe('idle');
    expect(session.toolState.sent).toBeUndefined();
    expect(approval.text).toContain('Rejected');
    expect(buttons(approval.blocks)).toEqual([]);
  });

  it('shows the failure in the thread when a Slack session’s run stops on an error a retry cannot fix', async () => {
    world = await slackAzureWorld({ model: offlineDemoModel() });
    // A session of an agent this app no longer serves: a retry cannot help.
    const { baton } = world;
    const retired: SlackChannel = createSlackChannel({
      baton: createBaton({
        store: baton.store,
        queue: baton.queue,
        agents: [defineAgent({ name: 'retired', instructions: 'gone', model: offlineDemoModel() })],
        logger: silentLogger,
      }),
      signingSecret: SIGNING_SECRET,
      botToken: 'xoxb-test-token',
    });
    const body = mentionBody({ eventId: 'Ev1', text: 'hello', ts: THREAD });
    const request = signedSlackRequest(body, { secret: SIGNING_SECRET, now: Date.now() });
    expect((await handleSlackHttp(retired, request)).status).toBe(200);

    expect(await world.drain()).toEqual(['completed']);
    expect((await baton.session(ref)).status).toBe('failed');
    expect(world.api.thread('C0CHAN', THREAD).map((message) => message.text)).toEqual([
      expect.stringContaining('could not finish this request (unknown_agent)'),
    ]);
  });
});
