import { callTools, reply } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { kinds, kit } from '../test/kit.js';

describe('approvals', () => {
  it('stops for approval and resumes in another invocation when the call is approved', async () => {
    const t = kit([callTools([{ name: 'send_email', args: { to: 'bob' }, callId: 'e1' }]), reply('Sent.')]);
    await t.baton.submit(t.ref, { text: 'email bob', source: 'test' });
    const first = await t.baton.run(t.ref, { deadline: t.later() });
    expect(first).toMatchObject({ kind: 'waiting_approval', callIds: ['e1'] });
    expect((await t.baton.session(t.ref)).pendingApprovals).toEqual([
      { callId: 'e1', tool: 'send_email', arguments: '{"to":"bob"}', unknownOutcome: false },
    ]);
    expect(t.counter.of('send_email')).toBe(0);
    await t.baton.decide(t.ref, { callId: 'e1', approved: true, by: 'alice' });
    expect(t.queue.messages.at(-1)?.message.reason).toBe('decision');
    const second = await t.baton.run(t.ref, { deadline: t.later() });
    expect(second).toMatchObject({ kind: 'finished', text: 'Sent.' });
    expect(t.counter.of('send_email')).toBe(1);
    expect(kinds(await t.store.readEvents(t.ref))).toEqual([
      'input',
      'model_response',
      'interrupt',
      'decision',
      'tool_intent',
      'tool_result',
      'model_response',
      'run_finished',
    ]);
  });

  it('records a rejection as the result without running the tool', async () => {
    const t = kit([
      callTools([{ name: 'send_email', args: { to: 'bob' }, callId: 'e1' }]),
      reply('Not sent.'),
    ]);
    await t.baton.submit(t.ref, { text: 'email bob', source: 'test' });
    await t.baton.run(t.ref, { deadline: t.later() });
    await t.baton.decide(t.ref, { callId: 'e1', approved: false, reason: 'not today', by: 'alice' });
    await t.baton.run(t.ref, { deadline: t.later() });
    expect(t.counter.of('send_email')).toBe(0);
    const result = (await t.store.readEvents(t.ref)).find((e) => e.kind === 'tool_result');
    expect(result).toMatchObject({ outcome: 'rejected' });
    expect(JSON.stringify(result)).toContain('not today');
  });
});
