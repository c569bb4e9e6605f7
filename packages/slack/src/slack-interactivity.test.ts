import { createExampleAgent, offlineDemoModel } from '@baton/example-agent';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { APPROVE_ACTION, REJECT_ACTION } from './slack-messages.js';
import { slackSessionRef } from './slack-session.js';
import { type SlackHarness, startSlackHarness } from './testing/slack-harness.js';
import { blockActionsBody, mentionBody } from './testing/slack-payloads.js';

const TS = '1767225600.000100';
const ref = slackSessionRef({ teamId: 'T0TEAM', channel: 'C0CHAN', thread: TS });

describe('handleSlackHttp interactivity', () => {
  let h: SlackHarness;
  let callId: string;

  beforeEach(async () => {
    h = await startSlackHarness({ agents: [createExampleAgent(offlineDemoModel())] });
    await h.request(mentionBody({ eventId: 'Ev1', text: 'email bob@example.com Hi', ts: TS }));
    await h.drain();
    callId = (await h.baton.session(ref)).pendingApprovals[0]!.callId;
  });

  afterEach(async () => {
    await h.close();
  });

  function value(overrides: Record<string, unknown> = {}): string {
    return JSON.stringify({ v: 1, t: ref.tenant, s: ref.sessionId, c: callId, ...overrides });
  }

  async function click(actionId: string, options: { user?: string; value?: string; team?: string } = {}) {
    const response = await h.request(
      blockActionsBody({ actionId, value: options.value ?? value(), ...options }),
    );
    return { status: response.status, body: JSON.parse(response.body) as Record<string, unknown> };
  }

  it('records a rejection and the run finishes without sending when Reject is clicked', async () => {
    expect(await click(REJECT_ACTION, { user: 'UBOB' })).toEqual({
      status: 200,
      body: { ok: true, duplicate: false },
    });
    await h.drain();
    const session = await h.baton.session(ref);
    expect(session.status).toBe('idle');
    expect(session.toolState.sent).toBeUndefined();
    const events = await h.baton.events(ref);
    expect(events.find((e) => e.kind === 'decision')).toMatchObject({
      approved: false,
      by: 'slack:UBOB',
      via: 'slack',
    });
    expect(h.api.messages.some((m) => m.text.includes('*Rejected* by <@UBOB>'))).toBe(true);
  });

  it('answers already_decided and keeps the first decision when the other button is clicked later', async () => {
    await click(APPROVE_ACTION);
    expect(await click(REJECT_ACTION)).toEqual({
      status: 200,
      body: { ok: false, error: 'already_decided' },
    });
    const decisions = (await h.baton.events(ref)).filter((e) => e.kind === 'decision');
    expect(decisions).toHaveLength(1);
  });

  it('answers no_pending_approval when the call id is unknown', async () => {
    expect(await click(APPROVE_ACTION, { value: value({ c: 'call_nope' }) })).toEqual({
      status: 200,
      body: { ok: false, error: 'no_pending_approval' },
    });
  });

  it('answers 403 and records nothing when the button belongs to another workspace', async () => {
    const before = await h.store.readHead(ref);
    const result = await click(APPROVE_ACTION, { team: 'T0OTHER' });
    expect(result.status).toBe(403);
    expect(await h.store.readHead(ref)).toEqual(before);
  });

  it('ignores actions that are not Baton buttons', async () => {
    expect(await click('someone_elses_button')).toEqual({
      status: 200,
      body: { ok: true, ignored: 'not_a_baton_action' },
    });
  });

  it('answers 400 when the button value is not ours', async () => {
    expect((await click(APPROVE_ACTION, { value: 'approve' })).status).toBe(400);
    expect((await click(APPROVE_ACTION, { value: JSON.stringify({ v: 2 }) })).status).toBe(400);
    expect((await click(APPROVE_ACTION, { value: value({ s: ' bad id' }) })).status).toBe(400);
  });

  it('acknowledges other interaction types without acting', async () => {
    const payload = JSON.stringify({
      type: 'view_submission',
      team: { id: 'T0TEAM' },
      user: { id: 'UALICE' },
    });
    const response = await h.request(new URLSearchParams({ payload }).toString());
    expect(JSON.parse(response.body)).toEqual({
      ok: true,
      ignored: 'unsupported_interaction:view_submission',
    });
  });
});
