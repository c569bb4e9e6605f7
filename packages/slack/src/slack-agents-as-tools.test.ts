import {
  agentTool,
  defineAgent,
  defineTool,
  type Model,
  type ModelRequest,
  type ModelResponse,
} from '@baton/core';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { slackOptionsFromEnv } from './slack-channel.js';
import { APPROVE_ACTION } from './slack-messages.js';
import { isSlackSession, slackSessionRef } from './slack-session.js';
import type { FakeSlackMessage } from './testing/fake-slack-api.js';
import { type SlackHarness, startSlackHarness } from './testing/slack-harness.js';
import { blockActionsBody, mentionBody } from './testing/slack-payloads.js';

const TS = '1767225600.000100';
const ref = slackSessionRef({ teamId: 'T0TEAM', channel: 'C0CHAN', thread: TS });

function scripted(
  name: string,
  decide: (request: ModelRequest) => Omit<ModelResponse, 'usage' | 'model'>,
): Model {
  return {
    provider: 'scripted',
    modelId: name,
    async generate(request) {
      return { ...decide(request), usage: { inputTokens: 10, outputTokens: 5 }, model: name };
    },
  };
}

function lastTool(request: ModelRequest): string | undefined {
  const last = request.messages.at(-1);
  return last?.role === 'tool' ? last.content : undefined;
}

/** `writer` asks the `researcher` agent, whose `publish` tool a person approves first. */
function agents(published: string[]) {
  const publish = defineTool({
    name: 'publish',
    description: 'Publish the findings; a person approves it first.',
    parameters: z.object({ title: z.string().min(1) }),
    needsApproval: true,
    execute: ({ title }) => {
      published.push(title);
      return { published: title };
    },
  });
  const researcher = defineAgent({
    name: 'researcher',
    instructions: 'Find facts, publish them, answer with them.',
    model: scripted('researcher', (request) =>
      lastTool(request) !== undefined
        ? { text: 'Otters hold hands while they sleep.', toolCalls: [], stopReason: 'end' }
        : {
            text: '',
            toolCalls: [{ callId: 'p1', name: 'publish', arguments: JSON.stringify({ title: 'otters' }) }],
            stopReason: 'tool_calls',
          },
    ),
    tools: [publish],
  });
  const writer = defineAgent({
    name: 'writer',
    instructions: 'Ask the researcher, then write.',
    model: scripted('writer', (request) => {
      const result = lastTool(request);
      if (result !== undefined) return { text: `Report: ${result}`, toolCalls: [], stopReason: 'end' };
      return {
        text: '',
        toolCalls: [{ callId: 'r1', name: 'researcher', arguments: JSON.stringify({ input: 'otters' }) }],
        stopReason: 'tool_calls',
      };
    }),
    tools: [agentTool('researcher', { description: 'Finds facts about a topic.' })],
  });
  return [writer, researcher];
}

/** The value of the message's Approve button, as Slack sends it back on a click. */
function approveValue(message: FakeSlackMessage): string {
  let value: string | undefined;
  JSON.stringify(message.blocks, (_key, field: unknown) => {
    const button = field as { action_id?: unknown; value?: unknown } | null;
    if (button?.action_id === APPROVE_ACTION && typeof button.value === 'string') value = button.value;
    return field;
  });
  if (!value) throw new Error(`no Approve button in ${JSON.stringify(message.blocks)}`);
  return value;
}

describe('agents as tools in a Slack thread', () => {
  let h: SlackHarness;
  const published: string[] = [];

  afterEach(async () => {
    published.length = 0;
    await h?.close();
  });

  async function waitingChild(channel: Parameters<typeof startSlackHarness>[0]['channel'] = {}) {
    h = await startSlackHarness({ agents: agents(published), channel });
    await h.request(mentionBody({ eventId: 'Ev1', text: 'write about otters', ts: TS }));
    await h.drain();
    const parent = await h.baton.session(ref);
    expect(parent.status).toBe('waiting_child');
    const child = parent.children?.[0]?.sessionId;
    expect(child).toBeDefined();
    const childRef = { tenant: ref.tenant, sessionId: child! };
    // The child of a Slack thread's session is the Slack channel's too.
    expect(isSlackSession(childRef)).toBe(true);
    expect((await h.baton.session(childRef)).status).toBe('waiting_approval');
    const thread = h.api.thread('C0CHAN', TS);
    const approval = thread.find((message) => message.blocks !== undefined);
    expect(approval).toBeDefined();
    // A copy: the fake rewrites its messages in place.
    return { childRef, thread, approval: { ...approval! } };
  }

  it("posts the child's approval in the parent's thread, decided by its button, then the parent's answer", async () => {
    const { childRef, thread, approval } = await waitingChild();
    // The parent's "working…" and the child's approval request; nothing else of the child's.
    expect(thread).toHaveLength(2);
    expect(approval.thread_ts).toBe(TS);
    expect(approval.text).toContain('publish');
    const value = JSON.parse(approveValue(approval)) as { s: string; c: string };
    expect(value).toMatchObject({ s: childRef.sessionId, c: 'p1' });

    const clicked = await h.request(
      blockActionsBody({ actionId: APPROVE_ACTION, value: approveValue(approval), user: 'UALICE' }),
    );
    expect(JSON.parse(clicked.body)).toEqual({ ok: true, duplicate: false });
    await h.drain();

    expect(published).toEqual(['otters']);
    const decisions = (await h.store.readEvents(childRef)).filter((event) => event.kind === 'decision');
    expect(decisions).toEqual([
      expect.objectContaining({ approved: true, by: 'slack:UALICE', via: 'slack' }),
    ]);
    expect((await h.baton.session(childRef)).status).toBe('idle');
    expect((await h.baton.session(ref)).status).toBe('idle');
    const after = h.api.thread('C0CHAN', TS);
    // Still two messages: the approval rewritten with the decision, the placeholder with the answer.
    expect(after).toHaveLength(2);
    const decided = after.find((message) => message.ts === approval.ts)!;
    expect(decided.text).toContain('Approved');
    expect(decided.edits).toBe(1);
    expect(after.map((message) => message.text)).toContain('Report: Otters hold hands while they sleep.');
    expect(
      after.some(
        (message) => message.text.includes('Otters hold hands') && !message.text.startsWith('Report'),
      ),
    ).toBe(false);
  });

  it("refuses a click on a child's button from another team", async () => {
    const { childRef, approval } = await waitingChild();
    const before = await h.store.readHead(childRef);
    const clicked = await h.request(
      blockActionsBody({ actionId: APPROVE_ACTION, value: approveValue(approval), team: 'T0OTHER' }),
    );
    expect(clicked.status).toBe(403);
    expect(await h.store.readHead(childRef)).toEqual(before);
    expect(published).toEqual([]);
  });

  it("holds a child's button to SLACK_APPROVERS, like the thread's own", async () => {
    const { childRef, approval } = await waitingChild({
      approvers: slackOptionsFromEnv({ SLACK_APPROVERS: 'UBOSS' }).approvers!,
    });
    const click = async (user: string) =>
      JSON.parse(
        (await h.request(blockActionsBody({ actionId: APPROVE_ACTION, value: approveValue(approval), user })))
          .body,
      ) as { ok: boolean; error?: string };
    expect(await click('UALICE')).toEqual({ ok: false, error: 'not_an_approver' });
    expect((await h.baton.session(childRef)).status).toBe('waiting_approval');
    expect(await click('UBOSS')).toEqual({ ok: true, duplicate: false });
    await h.drain();
    expect(published).toEqual(['otters']);
  });
});
