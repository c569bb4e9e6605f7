import { type Head, newHead, type SessionEvent } from '@baton/core';
import { describe, expect, it } from 'vitest';
import { ConsolePaths } from './layout.js';
import { SessionDigest } from './session-digest.js';
import { sessionPage } from './session-page.js';

function render(head: Head, events: SessionEvent[]): string {
  return sessionPage(new ConsolePaths('/console', '/api'), {
    head,
    digest: new SessionDigest({}),
    events,
    fromSeq: 1,
  });
}

describe('session page links of agents as tools', () => {
  it('links a parent to the child sessions its calls started, and a child to its parent', () => {
    const parent: Head = { ...newHead('acme', 'chat-1', 'writer', 0), status: 'waiting_child', seq: 3 };
    const intent: SessionEvent = {
      kind: 'tool_intent',
      callId: 'r1',
      name: 'researcher',
      child: 'agent:researcher:abc',
      v: 3,
      seq: 3,
      at: 0,
    };
    const page = render(parent, [intent]);
    expect(page).toContain('Agents it called');
    expect(page).toContain('href="/console/sessions/agent%3Aresearcher%3Aabc');
    // A parent waiting for a child can be cancelled (its children are cancelled with it).
    expect(page).toContain('class="cancel-run"');
    const child: Head = {
      ...newHead('acme', 'agent:researcher:abc', 'researcher', 0),
      parent: { sessionId: 'chat-1', callId: 'r1', responseSeq: 2, depth: 1 },
    };
    const childPage = render(child, []);
    expect(childPage).toContain('Started by');
    expect(childPage).toContain('href="/console/sessions/chat-1');
  });
});
