/**
 * Builders for request bodies shaped like the ones Slack sends (field for field from captured
 * payloads, with the ids replaced): Events API callbacks, block_actions and slash commands.
 */

export interface Workspace {
  team?: string;
  enterprise?: string;
  app?: string;
  botUserId?: string;
}

const DEFAULT_WORKSPACE: Required<Omit<Workspace, 'enterprise'>> = {
  team: 'T0TEAM',
  app: 'A0APP',
  botUserId: 'UBOT',
};

/** An `event_callback` envelope around `event`. */
export function eventCallbackBody(
  event: Record<string, unknown>,
  options: { eventId: string } & Workspace,
): string {
  const workspace = { ...DEFAULT_WORKSPACE, ...options };
  return JSON.stringify({
    token: 'Jhj5dZrVaK7ZwHHjRyZWjbDl',
    team_id: workspace.team,
    ...(workspace.enterprise ? { enterprise_id: workspace.enterprise } : {}),
    context_team_id: workspace.team,
    context_enterprise_id: workspace.enterprise ?? null,
    api_app_id: workspace.app,
    event,
    type: 'event_callback',
    event_id: options.eventId,
    event_time: 1767225600,
    authorizations: [
      {
        enterprise_id: workspace.enterprise ?? null,
        team_id: workspace.team,
        user_id: workspace.botUserId,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
    event_context: '4-eyJldCI6ImFwcF9tZW50aW9uIiwidGlkIjoiVDBURUFNIn0',
  });
}

export interface MessageOptions {
  eventId: string;
  text: string;
  ts: string;
  channel?: string;
  threadTs?: string;
  user?: string;
}

/** `app_mention`: someone wrote `<@UBOT> ...` in a channel. */
export function mentionBody(options: MessageOptions & Workspace): string {
  const bot = options.botUserId ?? DEFAULT_WORKSPACE.botUserId;
  return eventCallbackBody(
    {
      client_msg_id: '6f1b3f9e-7c1a-4c1e-9a55-2b1f0c8f3d21',
      type: 'app_mention',
      text: `<@${bot}> ${options.text}`,
      user: options.user ?? 'UALICE',
      ts: options.ts,
      blocks: [{ type: 'rich_text', block_id: 'Xa1', elements: [] }],
      team: options.team ?? DEFAULT_WORKSPACE.team,
      ...(options.threadTs ? { thread_ts: options.threadTs, parent_user_id: 'UALICE' } : {}),
      channel: options.channel ?? 'C0CHAN',
      event_ts: options.ts,
    },
    options,
  );
}

/** `message`: a direct message (channel_type im), a thread reply, or anything else via `extra`. */
export function messageBody(
  options: MessageOptions & Workspace & { channelType?: string; extra?: Record<string, unknown> },
): string {
  return eventCallbackBody(
    {
      client_msg_id: '0d6a4b52-1c55-4a6e-8d0a-8b5f2f0f6b11',
      type: 'message',
      text: options.text,
      user: options.user ?? 'UALICE',
      ts: options.ts,
      blocks: [{ type: 'rich_text', block_id: 'Yb2', elements: [] }],
      team: options.team ?? DEFAULT_WORKSPACE.team,
      ...(options.threadTs ? { thread_ts: options.threadTs, parent_user_id: 'UALICE' } : {}),
      channel: options.channel ?? 'C0CHAN',
      event_ts: options.ts,
      channel_type: options.channelType ?? 'channel',
      ...options.extra,
    },
    options,
  );
}

/** Interactivity: a click on a button of a message, as `payload=<url-encoded JSON>`. */
export function blockActionsBody(options: {
  actionId: string;
  value: string;
  user?: string;
  team?: string;
  enterprise?: string;
  channel?: string;
  messageTs?: string;
  threadTs?: string;
}): string {
  const team = options.team ?? DEFAULT_WORKSPACE.team;
  const channel = options.channel ?? 'C0CHAN';
  const payload = {
    type: 'block_actions',
    user: { id: options.user ?? 'UALICE', username: 'alice', name: 'alice', team_id: team },
    api_app_id: DEFAULT_WORKSPACE.app,
    token: 'Jhj5dZrVaK7ZwHHjRyZWjbDl',
    container: {
      type: 'message',
      message_ts: options.messageTs ?? '1767225601.000001',
      channel_id: channel,
      is_ephemeral: false,
      ...(options.threadTs ? { thread_ts: options.threadTs } : {}),
    },
    trigger_id: '10126354896.123456789.2d3e4f',
    team: { id: team, domain: 'acme', ...(options.enterprise ? { enterprise_id: options.enterprise } : {}) },
    enterprise: options.enterprise ? { id: options.enterprise, name: 'Acme Corp' } : null,
    is_enterprise_install: false,
    channel: { id: channel, name: 'general' },
    message: { type: 'message', ts: options.messageTs ?? '1767225601.000001', text: 'Approval needed' },
    state: { values: {} },
    response_url: 'https://hooks.slack.com/actions/T0TEAM/1/abc',
    actions: [
      {
        action_id: options.actionId,
        block_id: 'baton_approval',
        text: { type: 'plain_text', text: 'Approve', emoji: true },
        value: options.value,
        style: 'primary',
        type: 'button',
        action_ts: '1767225700.123456',
      },
    ],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** A slash command's form fields. */
export function slashCommandBody(options: {
  text: string;
  command?: string;
  user?: string;
  channel?: string;
  team?: string;
  enterprise?: string;
  triggerId?: string;
}): string {
  return new URLSearchParams({
    token: 'Jhj5dZrVaK7ZwHHjRyZWjbDl',
    team_id: options.team ?? DEFAULT_WORKSPACE.team,
    team_domain: 'acme',
    ...(options.enterprise ? { enterprise_id: options.enterprise, enterprise_name: 'Acme Corp' } : {}),
    channel_id: options.channel ?? 'C0CHAN',
    channel_name: 'general',
    user_id: options.user ?? 'UALICE',
    user_name: 'alice',
    command: options.command ?? '/baton',
    text: options.text,
    api_app_id: DEFAULT_WORKSPACE.app,
    is_enterprise_install: 'false',
    response_url: 'https://hooks.slack.com/commands/T0TEAM/1/abc',
    trigger_id: options.triggerId ?? '13345224609.738474920.8088930838d88f008e0',
  }).toString();
}
