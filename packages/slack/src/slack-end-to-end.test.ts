import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStore, type Model, type SessionStore } from '@baton/core';
import { createExampleAgent, offlineDemoModel } from '@baton/example-agent';
import { SqliteStore } from '@baton/store-sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deliverSlackReplies } from './slack-delivery.js';
import { APPROVE_ACTION, REJECT_ACTION } from './slack-messages.js';
import { slackSessionRef } from './slack-session.js';
import { type SlackHarness, startSlackHarness } from './testing/slack-harness.js';
import { blockActionsBody, mentionBody } from './testing/slack-payloads.js';

const THREAD = '1767225600.000100';
const ref = slackSessionRef({ teamId: 'T0TEAM', channel: 'C0CHAN', thread: THREAD });

interface Button {
  action_id: string;
  value: string;
}

function buttons(blocks: unknown): Button[] {
  const list = (blocks ?? []) as { type: string; elements?: Button[] }[];
  return list.flatMap((block) => (block.type === 'actions' ? (block.elements ?? []) : []));
}

/** The offline demo model, counting its calls and answering only once `release` was called. */
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
  };
  // Called through generate() only, so every call passes the gate and is counted.
  delete model.stream;
  return { model, calls: () => calls, release };
}

const stores: { name: string; open: () => { store: SessionStore; cleanup: () => void } }[] = [
  { name: 'memory', open: () => ({ store: new MemoryStore(), cleanup: () => {} }) },
  {
    name: 'sqlite',
    open: () => {
      const dir = mkdtempSync(join(tmpdir(), 'baton-slack-'));
      return {
        store: new SqliteStore({ path: join(dir, 'sessions.db') }),
        cleanup: () => rmSync(dir, { recursive: true, force: true }),
      };
    },
  },
];

describe.each(stores)('Slack end to end on the $name store', ({ open }) => {
  let h: SlackHarness;
  let gated: ReturnType<typeof gatedModel>;
  let cleanup: () => void;

  beforeEach(async () => {
    gated = gatedModel();
    gated.release();
    const opened = open();
    cleanup = opened.cleanup;
    h = await startSlackHarness({
      agents: [createExampleAgent(gated.model)],
      store: opened.store,
      channel: { approvers: ['UBOSS'] },
    });
  });

  afterEach(async () => {
    await h.close();
    cleanup();
  });

  it('answers a mention in its thread with a placeholder that is updated when the run finishes', async () => {
    const response = await h.request(mentionBody({ eventId: 'Ev1', text: 'hello there', ts: THREAD }));
    expect(response.status).toBe(200);
    expect(h.api.calls).toHaveLength(0);
    expect(h.queue.messages).toHaveLength(1);

    await h.drain();

    const posts = h.api.callsTo('chat.postMessage');
    const updates = h.api.callsTo('chat.update');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.args).toMatchObject({
      channel: 'C0CHAN',
      thread_ts: THREAD,
      text: expect.stringContaining('Working'),
    });
    expect(updates).toHaveLength(1);
    expect(updates[0]!.args.text).toContain('You said: hello there');
    expect(h.api.thread('C0CHAN', THREAD).map((m) => m.text)).toEqual([updates[0]!.args.text]);
  });

  it('runs an approval round trip through the buttons and posts nothing twice', async () => {
    await h.request(
      mentionBody({ eventId: 'Ev1', text: 'email bob@example.com Quarterly report', ts: THREAD }),
    );
    await h.drain();
    expect((await h.baton.session(ref)).status).toBe('waiting_approval');
    const approval = h.api.messages.find((m) => buttons(m.blocks).length > 0)!;
    expect(approval.thread_ts).toBe(THREAD);
    expect(buttons(approval.blocks).map((b) => b.action_id)).toEqual([APPROVE_ACTION, REJECT_ACTION]);
    const { callId } = (await h.baton.session(ref)).pendingApprovals[0]!;
    const value = buttons(approval.blocks)[0]!.value;
    expect(JSON.parse(value)).toMatchObject({ c: callId, s: ref.sessionId, t: ref.tenant });

    const refused = await h.request(blockActionsBody({ actionId: APPROVE_ACTION, value, user: 'UMALLORY' }));
    expect(JSON.parse(refused.body)).toMatchObject({ ok: false, error: 'not_an_approver' });
    expect((await h.baton.session(ref)).status).toBe('waiting_approval');
    expect(h.queue.messages).toHaveLength(0);

    const approved = await h.request(blockActionsBody({ actionId: APPROVE_ACTION, value, user: 'UBOSS' }));
    expect(JSON.parse(approved.body)).toMatchObject({ ok: true, duplicate: false });
    const doubleClick = await h.request(blockActionsBody({ actionId: APPROVE_ACTION, value, user: 'UBOSS' }));
    expect(JSON.parse(doubleClick.body)).toMatchObject({ ok: true, duplicate: true });
    await h.drain();

    const session = await h.baton.session(ref);
    expect(session.status).toBe('idle');
    expect(session.toolState.sent).toEqual(['bob@example.com: Quarterly report']);
    expect(approval.text).toContain('Approved');
    expect(buttons(approval.blocks)).toEqual([]);
    const thread = h.api.thread('C0CHAN', THREAD);
    expect(thread.map((m) => m.text)).toEqual([
      ':arrow_down: Answered below.',
      expect.stringContaining('Approved'),
      expect.stringContaining('send_email'),
    ]);
    expect(thread[2]!.text).toContain('Done.');

    const callsBefore = h.api.calls.length;
    const report = await deliverSlackReplies(h.slack, ref, { deadline: h.clock.now() + 60_000 });
    expect(report).toEqual({ recorded: 0, sent: 0, failed: 0, pending: 0 });
    const retry = await h.request(
      mentionBody({ eventId: 'Ev1', text: 'email bob@example.com Quarterly report', ts: THREAD }),
      {
        retryNum: 1,
      },
    );
    expect(JSON.parse(retry.body)).toMatchObject({ ok: true, duplicate: true });
    await h.drain();
    expect(h.api.calls.length).toBe(callsBefore);
  });

  it('acknowledges without waiting for the model when a mention arrives', async () => {
    const slow = gatedModel();
    const h2 = await startSlackHarness({ agents: [createExampleAgent(slow.model)] });
    try {
      const response = await h2.request(mentionBody({ eventId: 'Ev1', text: 'hello', ts: THREAD }));
      expect(response.status).toBe(200);
      expect(slow.calls()).toBe(0);
      const drained = h2.drain();
      slow.release();
      await drained;
      expect(slow.calls()).toBe(1);
      expect(h2.api.thread('C0CHAN', THREAD).map((m) => m.text)).toEqual([
        expect.stringContaining('You said: hello'),
      ]);
    } finally {
      await h2.close();
    }
  });

  it('runs once and replies once when the same event is delivered four times', async () => {
    const raw = mentionBody({ eventId: 'Ev1', text: 'hello', ts: THREAD });
    const answers = [await h.request(raw)];
    for (const retryNum of [1, 2, 3]) answers.push(await h.request(raw, { retryNum }));
    expect(answers.map((a) => JSON.parse(a.body).duplicate)).toEqual([false, true, true, true]);
    await h.drain();
    expect(gated.calls()).toBe(1);
    expect(h.api.callsTo('chat.postMessage')).toHaveLength(1);
    expect(h.api.thread('C0CHAN', THREAD)).toHaveLength(1);
  });

  it('answers three messages in order when each arrives after the previous answer', async () => {
    await h.request(mentionBody({ eventId: 'Ev1', text: 'one', ts: THREAD }));
    await h.drain();
    await h.request(mentionBody({ eventId: 'Ev2', text: 'two', ts: '1767225600.000200', threadTs: THREAD }));
    await h.drain();
    await h.request(
      mentionBody({ eventId: 'Ev3', text: 'three', ts: '1767225600.000300', threadTs: THREAD }),
    );
    await h.drain();
    const texts = h.api.thread('C0CHAN', THREAD).map((m) => m.text);
    expect(texts).toEqual([
      expect.stringContaining('You said: one'),
      expect.stringContaining('You said: two'),
      expect.stringContaining('You said: three'),
    ]);
  });

  it('answers three quick messages in order, one run at a time, when all arrive before the run', async () => {
    await h.request(mentionBody({ eventId: 'Ev1', text: 'one', ts: THREAD }));
    await h.request(mentionBody({ eventId: 'Ev2', text: 'two', ts: '1767225600.000200', threadTs: THREAD }));
    await h.request(
      mentionBody({ eventId: 'Ev3', text: 'three', ts: '1767225600.000300', threadTs: THREAD }),
    );
    await h.drain();
    // The example agent takes input one message at a time: three model calls, three answers.
    expect(gated.calls()).toBe(3);
    expect(h.api.thread('C0CHAN', THREAD).map((m) => m.text)).toEqual([
      expect.stringContaining('You said: one'),
      expect.stringContaining('You said: two'),
      expect.stringContaining('You said: three'),
    ]);
  });
});
