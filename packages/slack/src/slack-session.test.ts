import { sessionRef } from '@baton/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  COMMAND_THREAD,
  isSlackSession,
  parseMessageLink,
  slackSessionRef,
  slackTenant,
} from './slack-session.js';

describe('slackSessionRef', () => {
  it('maps team, channel and thread to one session and the enterprise to the tenant', () => {
    expect(slackSessionRef({ teamId: 'T1', channel: 'C1', thread: '1712345678.000100' })).toEqual({
      tenant: 'T1',
      sessionId: 'slack:T1:C1:1712345678.000100',
    });
    expect(slackTenant({ enterpriseId: 'E1', teamId: 'T1' })).toBe('E1');
    expect(slackTenant({ enterpriseId: null, teamId: 'T1' })).toBe('T1');
    expect(isSlackSession(slackSessionRef({ teamId: 'T1', channel: 'C1', thread: COMMAND_THREAD }))).toBe(
      true,
    );
    expect(isSlackSession(sessionRef('T1', 'chat-1'))).toBe(false);
  });

  it('gives ids core accepts when Slack ids are random', () => {
    const id = fc.stringMatching(/^[A-Za-z0-9]{1,64}$/);
    const ts = fc.stringMatching(/^\d{1,12}\.\d{1,9}$/);
    fc.assert(
      fc.property(fc.option(id, { nil: undefined }), id, id, ts, (enterpriseId, teamId, channel, thread) => {
        const ref = slackSessionRef({ enterpriseId, teamId, channel, thread });
        expect(sessionRef(ref.tenant, ref.sessionId)).toEqual(ref);
      }),
    );
  });
});

describe('parseMessageLink', () => {
  it('reads the thread of a reply link and the message of a root link', () => {
    expect(
      parseMessageLink(
        'https://acme.slack.com/archives/C0CHAN/p1767225700000200?thread_ts=1767225600.000100&cid=C0CHAN',
      ),
    ).toEqual({
      channel: 'C0CHAN',
      thread: '1767225600.000100',
    });
    expect(parseMessageLink('<https://acme.slack.com/archives/C0CHAN/p1767225600000100|link>')).toEqual({
      channel: 'C0CHAN',
      thread: '1767225600.000100',
    });
  });

  it('returns null when the text is not a message link', () => {
    expect(parseMessageLink('https://example.com/archives/x')).toBeNull();
    expect(parseMessageLink('reset everything')).toBeNull();
  });
});
