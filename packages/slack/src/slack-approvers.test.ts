import { type Agent, handleHttp, type Identity, type SessionRef, sessionRef } from '@baton/core';
import { createExampleAgent, offlineDemoModel } from '@baton/example-agent';
import { afterEach, describe, expect, it } from 'vitest';
import { type SlackChannelOptions, slackOptionsFromEnv } from './slack-channel.js';
import { APPROVE_ACTION } from './slack-messages.js';
import { slackSessionRef } from './slack-session.js';
import { type SlackHarness, startSlackHarness } from './testing/slack-harness.js';
import { blockActionsBody, mentionBody } from './testing/slack-payloads.js';

const TS = '1767225600.000100';
const ref = slackSessionRef({ teamId: 'T0TEAM', channel: 'C0CHAN', thread: TS });
/** An API key of the Slack workspace's tenant that holds every scope an approval route asks for. */
const apiKey: Identity = {
  tenant: 'T0TEAM',
  user: 'key:abcdefghijklmnop',
  scopes: ['send', 'read', 'approve'],
  via: 'api_key',
};

/** The channel options SLACK_APPROVERS gives, as a deployment reads them. */
function fromEnv(SLACK_APPROVERS?: string): Partial<Omit<SlackChannelOptions, 'baton'>> {
  const { approvers } = slackOptionsFromEnv(SLACK_APPROVERS === undefined ? {} : { SLACK_APPROVERS });
  return approvers ? { approvers } : {};
}

describe('Slack approvals under the core approver policy', () => {
  let h: SlackHarness;

  afterEach(async () => {
    await h?.close();
  });

  /** A Slack thread waiting for approval of an email, under the given channel options and agent. */
  async function waiting(channel: Partial<Omit<SlackChannelOptions, 'baton'>>, agent?: Partial<Agent>) {
    h = await startSlackHarness({
      agents: [{ ...createExampleAgent(offlineDemoModel()), ...agent }],
      channel,
    });
    await h.request(mentionBody({ eventId: 'Ev1', text: 'email bob@example.com Hi', ts: TS }));
    await h.drain();
    const { callId } = (await h.baton.session(ref)).pendingApprovals[0]!;
    return callId;
  }

  async function click(callId: string, user: string) {
    const value = JSON.stringify({ v: 1, t: ref.tenant, s: ref.sessionId, c: callId });
    const response = await h.request(blockActionsBody({ actionId: APPROVE_ACTION, value, user }));
    return JSON.parse(response.body) as { ok: boolean; error?: string };
  }

  /** POST /sessions/{id}/approvals/{callId} as the HTTP API serves it, for an authenticated caller. */
  async function approveOverHttp(target: SessionRef, callId: string, identity: Identity) {
    return handleHttp(
      h.baton,
      {
        method: 'POST',
        path: `/sessions/${encodeURIComponent(target.sessionId)}/approvals/${encodeURIComponent(callId)}`,
        query: new URLSearchParams(),
        // The header that passed the old Slack check: it names nobody now.
        headers: { 'content-type': 'application/json', 'x-baton-user': 'UBOSS' },
        body: JSON.stringify({ approved: true }),
      },
      { deadline: h.clock.now() + 60_000, identity },
    );
  }

  async function decisions(target: SessionRef = ref) {
    return (await h.store.readEvents(target)).filter((event) => event.kind === 'decision');
  }

  it('refuses an HTTP approval of a Slack session by an API key that SLACK_APPROVERS does not list', async () => {
    const callId = await waiting(fromEnv('UBOSS'));
    const before = await h.store.readHead(ref);
    const response = await approveOverHttp(ref, callId, apiKey);
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ error: { code: 'not_an_approver' } });
    expect(await h.store.readHead(ref)).toEqual(before);
    expect(h.queue.messages).toHaveLength(0);
  });

  it('admits an HTTP approval when SLACK_APPROVERS lists the key', async () => {
    const callId = await waiting(fromEnv(`UBOSS, ${apiKey.user}`));
    expect((await approveOverHttp(ref, callId, apiKey)).status).toBe(202);
    expect(await decisions()).toMatchObject([{ by: apiKey.user, via: 'api_key' }]);
  });

  it('admits a listed Slack user by click and refuses another, recording the Slack identity', async () => {
    const callId = await waiting({ approvers: ['UBOSS'] });
    expect(await click(callId, 'UMALLORY')).toEqual({ ok: false, error: 'not_an_approver' });
    expect(await decisions()).toEqual([]);
    expect(await click(callId, 'UBOSS')).toEqual({ ok: true, duplicate: false });
    expect(await decisions()).toMatchObject([{ by: 'slack:UBOSS', via: 'slack', approved: true }]);
  });

  it("applies the agent's policy over SLACK_APPROVERS, to clicks and HTTP alike", async () => {
    const callId = await waiting({ approvers: ['UBOSS'] }, { approvers: { users: ['key:ops'] } });
    expect(await click(callId, 'UBOSS')).toEqual({ ok: false, error: 'not_an_approver' });
    expect((await approveOverHttp(ref, callId, apiKey)).status).toBe(403);
    expect(await decisions()).toEqual([]);
    expect((await approveOverHttp(ref, callId, { ...apiKey, user: 'key:ops' })).status).toBe(202);
  });

  it('lets any Slack user and any approve-scoped key decide when SLACK_APPROVERS is unset', async () => {
    const callId = await waiting(fromEnv());
    expect(await click(callId, 'UANYONE')).toEqual({ ok: true, duplicate: false });
    expect((await approveOverHttp(ref, callId, apiKey)).status).toBe(202);
    expect(await decisions()).toHaveLength(1);
  });

  it('leaves sessions that are not Slack sessions to the default policy', async () => {
    await waiting({ approvers: ['UBOSS'] });
    const plain = sessionRef('T0TEAM', 'http-session');
    await h.baton.submit(plain, { text: 'email bob@example.com Hi', source: 'http' });
    await h.baton.run(plain, { deadline: h.clock.now() + 60_000 });
    const { callId } = (await h.baton.session(plain)).pendingApprovals[0]!;
    expect((await approveOverHttp(plain, callId, apiKey)).status).toBe(202);
  });

  it('refuses a key of another tenant before it learns anything about the session', async () => {
    const callId = await waiting({});
    const response = await approveOverHttp(ref, callId, { ...apiKey, tenant: 'T0OTHER' });
    expect(response.status).not.toBe(202);
    expect(await decisions()).toEqual([]);
  });
});
