import type { SlackChannel } from './slack-channel.js';
import { type EventCallback, type MessageEvent, messageEvent } from './slack-payloads.js';

/** A Slack message that becomes agent input. */
export interface SlackInput {
  enterpriseId: string | undefined;
  teamId: string;
  channel: string;
  /** Root ts of the thread the message belongs to (`thread_ts ?? ts`). */
  thread: string;
  /** The message's own ts. */
  ts: string;
  user: string | undefined;
  text: string;
  kind: 'mention' | 'direct' | 'thread_reply' | 'edit' | 'deletion';
  /** Thread replies count only in threads the bot is already part of; the route checks that. */
  needsExistingSession: boolean;
}

export type ClassifiedEvent = { kind: 'input'; input: SlackInput } | { kind: 'ignored'; reason: string };

/** Subtypes that are still a person writing to the channel; every other subtype is an event about a message. */
const ORDINARY_SUBTYPES = new Set([undefined, 'thread_broadcast', 'file_share']);

/**
 * Decides what an Events API callback means for the agent: an input (mentions, direct messages,
 * replies in threads the bot is part of) or a reason to ignore it. Pure: the route does the I/O.
 */
export function classifyEvent(slack: SlackChannel, payload: EventCallback): ClassifiedEvent {
  const parsed = messageEvent.safeParse(payload.event);
  if (!parsed.success) {
    const type = payload.event.type;
    return {
      kind: 'ignored',
      reason:
        type === 'message' || type === 'app_mention' ? 'unreadable_message' : `unsupported_event:${type}`,
    };
  }
  const event = parsed.data;
  const botUserId = slack.botUserId ?? payload.authorizations?.find((a) => a.user_id)?.user_id ?? undefined;
  const base = {
    enterpriseId: payload.enterprise_id ?? undefined,
    teamId: payload.team_id,
    channel: event.channel,
  };
  if (event.subtype === 'message_changed' || event.subtype === 'message_deleted') {
    return messageChange(slack, event, base, botUserId, payload.api_app_id);
  }
  if (isFromBot(event, botUserId, payload.api_app_id, true))
    return { kind: 'ignored', reason: 'own_message' };
  if (isFromBot(event, botUserId, payload.api_app_id, false)) {
    if (slack.botMessages === 'ignore') return { kind: 'ignored', reason: 'bot_message' };
    // Without knowing who we are, our own replies would look like another bot's and loop forever.
    if (!botUserId && !payload.api_app_id) return { kind: 'ignored', reason: 'bot_message_unknown_identity' };
  }
  if (!ORDINARY_SUBTYPES.has(event.subtype)) return { kind: 'ignored', reason: `subtype:${event.subtype}` };
  const text = stripMention(event.text ?? '', botUserId);
  if (text === '') return { kind: 'ignored', reason: 'empty_text' };
  const thread = event.thread_ts ?? event.ts;
  const input = { ...base, thread, ts: event.ts, user: event.user, text };
  if (event.type === 'app_mention') {
    return { kind: 'input', input: { ...input, kind: 'mention', needsExistingSession: false } };
  }
  if (event.channel_type === 'im') {
    return { kind: 'input', input: { ...input, kind: 'direct', needsExistingSession: false } };
  }
  // A channel message that mentions the bot also arrives as app_mention, with another event_id.
  if (botUserId && mentions(event.text ?? '', botUserId))
    return { kind: 'ignored', reason: 'mention_handled_by_app_mention' };
  if (event.thread_ts && event.thread_ts !== event.ts) {
    return { kind: 'input', input: { ...input, kind: 'thread_reply', needsExistingSession: true } };
  }
  return { kind: 'ignored', reason: 'not_addressed_to_the_bot' };
}

function messageChange(
  slack: SlackChannel,
  event: MessageEvent,
  base: { enterpriseId: string | undefined; teamId: string; channel: string },
  botUserId: string | undefined,
  appId: string | undefined,
): ClassifiedEvent {
  const deleted = event.subtype === 'message_deleted';
  if (slack.messageChanges === 'ignore') return { kind: 'ignored', reason: deleted ? 'deletion' : 'edit' };
  const message = deleted ? event.previous_message : event.message;
  // Our own chat.update calls come back as message_changed: never feed them to the agent.
  if (
    !message?.ts ||
    message.bot_id ||
    (botUserId && message.user === botUserId) ||
    (appId && message.app_id === appId)
  ) {
    return { kind: 'ignored', reason: 'bot_message' };
  }
  const text = stripMention(message.text ?? '', botUserId);
  if (text === '') return { kind: 'ignored', reason: 'empty_text' };
  const thread = message.thread_ts ?? message.ts;
  return {
    kind: 'input',
    input: {
      ...base,
      thread,
      ts: message.ts,
      user: message.user,
      text: deleted ? `[the user deleted this message] ${text}` : `[the user edited a message to] ${text}`,
      kind: deleted ? 'deletion' : 'edit',
      // Edits anywhere would wake the bot for every thread in the channel: only its own threads count.
      needsExistingSession: event.channel_type !== 'im',
    },
  };
}

function isFromBot(
  event: MessageEvent,
  botUserId: string | undefined,
  appId: string | undefined,
  ownOnly: boolean,
): boolean {
  const own =
    (botUserId !== undefined && event.user === botUserId) ||
    (appId !== undefined && (event.app_id === appId || event.bot_profile?.app_id === appId));
  if (ownOnly) return own;
  return own || Boolean(event.bot_id) || event.subtype === 'bot_message';
}

function mentions(text: string, userId: string): boolean {
  return text.includes(`<@${userId}>`) || text.includes(`<@${userId}|`);
}

/** Removes the bot's own mention so the agent sees what was asked, not its name. */
function stripMention(text: string, botUserId: string | undefined): string {
  if (!botUserId) return text.trim();
  const id = botUserId.replace(/[^A-Za-z0-9_-]/g, '\\$&');
  return text.replace(new RegExp(`<@${id}(\\|[^>]*)?>`, 'g'), '').trim();
}
