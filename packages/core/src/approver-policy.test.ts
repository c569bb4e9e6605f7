import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAgent } from './agent.js';
import {
  channelApproversOf,
  checkApproverPolicy,
  mayApprove,
  setChannelApprovers,
} from './approver-policy.js';
import type { Identity } from './auth/identity.js';
import { sessionRef } from './session-ref.js';
import { defineTool } from './tool.js';

const call = { tool: 'send_email', args: { to: 'bob' }, callId: 'c1' };
const identity = (user: string, scopes: Identity['scopes']): Identity => ({
  tenant: 'acme',
  user,
  scopes,
  via: 'jwt',
});

describe('mayApprove', () => {
  it('admits approve or admin holders when there is no policy', () => {
    expect(mayApprove(undefined, identity('u', ['approve']), call)).toBe(true);
    expect(mayApprove(undefined, identity('u', ['admin']), call)).toBe(true);
    expect(mayApprove(undefined, identity('u', ['send', 'read']), call)).toBe(false);
    expect(mayApprove({}, identity('u', ['send', 'read']), call)).toBe(false);
  });

  it('matches users exactly, case included', () => {
    const policy = { users: ['slack:U1'] };
    expect(mayApprove(policy, identity('slack:U1', ['approve']), call)).toBe(true);
    expect(mayApprove(policy, identity('slack:u1', ['approve']), call)).toBe(false);
    expect(mayApprove(policy, identity('U1', ['approve']), call)).toBe(false);
    expect(mayApprove({ users: [] }, identity('slack:U1', ['approve', 'admin']), call)).toBe(false);
  });

  it('treats a function that throws nothing but answers non-true as a refusal', () => {
    const loose = (() => 'yes') as unknown as () => boolean;
    expect(mayApprove(loose, identity('u', ['approve']), call)).toBe(false);
  });
});

describe('checkApproverPolicy', () => {
  it('refuses malformed policies where they are defined', () => {
    expect(() => checkApproverPolicy({ users: 'slack:U1' }, 'agent a')).toThrow(/users/);
    expect(() => checkApproverPolicy({ users: [''] }, 'agent a')).toThrow(/users/);
    expect(() => checkApproverPolicy({ scope: 'root' }, 'agent a')).toThrow(/scope/);
    expect(() => checkApproverPolicy({ user: ['x'] }, 'agent a')).toThrow(/unknown fields: user/);
    expect(() => checkApproverPolicy('anyone', 'agent a')).toThrow(/must be/);
    const execute = () => null;
    expect(() =>
      defineTool({
        name: 't',
        description: 't',
        parameters: z.object({}),
        execute,
        approvers: { scope: 'x' as never },
      }),
    ).toThrow(/tool t: approvers scope/);
    expect(() => defineAgent({ name: 'a', instructions: '', approvers: { users: [1 as never] } })).toThrow(
      /agent a: approvers users/,
    );
  });

  it('copies the users list, so later changes to the caller array do not widen it', () => {
    const users = ['key:a'];
    const agent = defineAgent({ name: 'a', instructions: '', approvers: { users } });
    users.push('key:b');
    expect(agent.approvers).toEqual({ users: ['key:a'] });
  });
});

describe('channel approvers', () => {
  it('answers for the sessions a channel claims, per Baton, and can be removed', () => {
    const baton = {};
    const other = {};
    setChannelApprovers(baton, 'slack', (ref) =>
      ref.sessionId.startsWith('slack:') ? { users: ['slack:U1'] } : undefined,
    );
    expect(channelApproversOf(baton, sessionRef('T1', 'slack:T1:C1:1'))).toEqual({ users: ['slack:U1'] });
    expect(channelApproversOf(baton, sessionRef('T1', 'plain'))).toBeUndefined();
    expect(channelApproversOf(other, sessionRef('T1', 'slack:T1:C1:1'))).toBeUndefined();
    setChannelApprovers(baton, 'slack', undefined);
    expect(channelApproversOf(baton, sessionRef('T1', 'slack:T1:C1:1'))).toBeUndefined();
  });
});
