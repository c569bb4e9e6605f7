import { type SessionRef, sessionRef } from '@baton/core';

/**
 * Slack triggers map to sessions: one thread (team + channel + `thread_ts ?? ts`) is one session.
 * The tenant is the Enterprise Grid organization when there is one, else the workspace, so an
 * org-wide install keeps all its workspaces under one tenant. Slash commands have no thread: they
 * share one session per channel, whose replies go to the channel itself.
 */

const PREFIX = 'slack:';
export const COMMAND_THREAD = 'command';

export interface SlackConversation {
  enterpriseId?: string | null | undefined;
  teamId: string;
  channel: string;
  /** The thread's root ts, or COMMAND_THREAD for the channel's slash-command session. */
  thread: string;
}

export function slackTenant(ids: { enterpriseId?: string | null | undefined; teamId: string }): string {
  return ids.enterpriseId || ids.teamId;
}

/**
 * The session of a Slack conversation. Ids contain ':' and '.', which core accepts; stores that
 * forbid characters (Cosmos DB: '/', '\') encode ids themselves.
 *
 * @example
 * slackSessionRef({ teamId: 'T1', channel: 'C1', thread: '1712345678.000100' });
 * // { tenant: 'T1', sessionId: 'slack:T1:C1:1712345678.000100' }
 */
export function slackSessionRef(conversation: SlackConversation): SessionRef {
  return sessionRef(
    slackTenant(conversation),
    `${PREFIX}${conversation.teamId}:${conversation.channel}:${conversation.thread}`,
  );
}

/** Whether a session came from Slack: the queue worker delivers replies only for those. */
export function isSlackSession(ref: SessionRef): boolean {
  return ref.sessionId.startsWith(PREFIX);
}

/**
 * Reads a Slack message link (as pasted into a slash command, possibly wrapped in `<...|label>`):
 * the channel and the thread it belongs to (`?thread_ts=` for a reply, else the message itself).
 */
export function parseMessageLink(text: string): { channel: string; thread: string } | null {
  const link = text.trim().replace(/^<([^|>]*)(\|[^>]*)?>$/, '$1');
  const match = /^https:\/\/[A-Za-z0-9.-]+\/archives\/([A-Z0-9]{2,32})\/p(\d{10})(\d{6})(?:\?(.*))?$/.exec(
    link,
  );
  if (!match) return null;
  const query = new URLSearchParams(match[4] ?? '');
  const threadTs = query.get('thread_ts');
  const thread = threadTs && /^\d{10}\.\d{6}$/.test(threadTs) ? threadTs : `${match[2]}.${match[3]}`;
  return { channel: match[1]!, thread };
}
