import { type Identity, isBatonError } from '@baton/core';
import { type SlackChannel, slackUser } from './slack-channel.js';
import { claimCommand, commandLedgerRef } from './slack-command-ledger.js';
import { SlackRequestError } from './slack-errors.js';
import { originMetadata } from './slack-metadata.js';
import { type SlashCommand, slashCommand } from './slack-payloads.js';
import { issue, jsonResponse, type SlackHttpResponse } from './slack-response.js';
import { COMMAND_THREAD, parseMessageLink, slackSessionRef } from './slack-session.js';
import type { SlackHeaders } from './slack-signature.js';

/**
 * Slash commands (form fields), e.g. `/baton`:
 *
 *   /baton <question>          ask the agent; the answer is posted in the channel
 *   /baton reset               forget the channel's slash-command conversation
 *   /baton reset <thread link> forget that thread's conversation (same channel only)
 *   /baton cancel [thread link] stop the run of the channel's command conversation (or of that thread)
 *   /baton help                this text
 *
 * Slack does not say which thread a command was typed in, so questions asked by command share one
 * session per channel, and resetting a thread takes its link ("Copy link" on any message in it).
 * Reset deletes the session: its log, tool state and dedupe records; the thread's next message
 * starts afresh. The answer to the command itself is ephemeral (only the caller sees it).
 * A command acts once: the same signed request sent again (a replay inside the signature's
 * 5-minute window) is answered without acting (slack-command-ledger.ts).
 */
export async function handleSlashCommand(
  slack: SlackChannel,
  body: string,
  headers: SlackHeaders,
): Promise<SlackHttpResponse> {
  const form = new URLSearchParams(body);
  if (form.get('ssl_check') === '1') return jsonResponse(200, { ok: true });
  const parsed = slashCommand.safeParse(Object.fromEntries(form));
  if (!parsed.success)
    throw new SlackRequestError('invalid_command', `not a slash command: ${issue(parsed.error)}`);
  const command = parsed.data;
  const text = command.text.trim();
  const [word = '', ...rest] = text.split(/\s+/);
  const verb = word.toLowerCase();
  if (text === '' || verb === 'help') return ephemeral(help(command.command));
  const ledger = commandLedgerRef({ enterpriseId: command.enterprise_id, teamId: command.team_id });
  if (!(await claimCommand(slack, ledger, headers))) {
    slack.baton.logger.warn('Slack command sent again; not acted on', { by: command.user_id, verb });
    return ephemeral('Already done: this command was received before.');
  }
  if (verb === 'reset') return reset(slack, command, rest.join(' '));
  if (verb === 'cancel') return cancel(slack, command, rest.join(' '));
  return ask(slack, command, verb === 'ask' ? rest.join(' ') : text);
}

async function ask(slack: SlackChannel, command: SlashCommand, question: string): Promise<SlackHttpResponse> {
  if (question === '') return ephemeral(help(command.command));
  const ref = slackSessionRef({
    enterpriseId: command.enterprise_id,
    teamId: command.team_id,
    channel: command.channel_id,
    thread: COMMAND_THREAD,
  });
  try {
    const result = await slack.baton.submit(ref, {
      text: question,
      source: 'slack',
      sender: command.user_id,
      dedupeKey: `slack:command:${command.trigger_id}`,
      ...(slack.agent ? { agent: slack.agent } : {}),
      metadata: originMetadata({
        channel: command.channel_id,
        thread: null,
        ts: command.trigger_id,
        user: command.user_id,
        kind: 'command',
      }),
    });
    return ephemeral(result.duplicate ? 'Already asked.' : 'Asked. The answer will appear in this channel.');
  } catch (error) {
    if (isBatonError(error) && error.status >= 400 && error.status < 500) {
      return ephemeral(`Not asked: ${error.message}`);
    }
    throw error;
  }
}

async function reset(
  slack: SlackChannel,
  command: SlashCommand,
  argument: string,
): Promise<SlackHttpResponse> {
  let thread = COMMAND_THREAD;
  if (argument !== '') {
    const link = parseMessageLink(argument);
    if (!link) return ephemeral('Give the link of a message in the thread to reset ("Copy link").');
    // Only threads of the channel the command runs in: a link must not reach into other channels.
    if (link.channel !== command.channel_id)
      return ephemeral('That thread is in another channel; run the command there.');
    thread = link.thread;
  }
  const ref = slackSessionRef({
    enterpriseId: command.enterprise_id,
    teamId: command.team_id,
    channel: command.channel_id,
    thread,
  });
  await slack.baton.delete(ref);
  slack.baton.logger.info('Slack session reset', { sessionId: ref.sessionId, by: command.user_id });
  return ephemeral(
    thread === COMMAND_THREAD
      ? 'Reset: the next question starts a new conversation.'
      : 'Reset: the next message in that thread starts a new conversation.',
  );
}

/** Stops the current run of the command conversation, or of the linked thread (same channel only). */
async function cancel(
  slack: SlackChannel,
  command: SlashCommand,
  argument: string,
): Promise<SlackHttpResponse> {
  let thread = COMMAND_THREAD;
  if (argument !== '') {
    const link = parseMessageLink(argument);
    if (!link) return ephemeral('Give the link of a message in the thread to cancel ("Copy link").');
    if (link.channel !== command.channel_id)
      return ephemeral('That thread is in another channel; run the command there.');
    thread = link.thread;
  }
  const ref = slackSessionRef({
    enterpriseId: command.enterprise_id,
    teamId: command.team_id,
    channel: command.channel_id,
    thread,
  });
  // The signed command is the Slack user's own, in the workspace the session belongs to.
  const identity: Identity = {
    tenant: ref.tenant,
    user: slackUser(command.user_id),
    scopes: ['send'],
    via: 'slack',
  };
  try {
    const result = await slack.baton.cancel(ref, { identity });
    if (!result.cancelled) return ephemeral('Nothing to cancel: no run is in progress there.');
    return ephemeral(result.duplicate ? 'Already cancelled.' : 'Cancelled: the run stops.');
  } catch (error) {
    if (isBatonError(error) && error.status === 404)
      return ephemeral('Nothing to cancel: no conversation there yet.');
    if (isBatonError(error) && error.status >= 400 && error.status < 500) {
      return ephemeral(`Not cancelled: ${error.message}`);
    }
    throw error;
  }
}

function help(name: string): string {
  return [
    `\`${name} <question>\` asks the agent; the answer appears in this channel.`,
    `\`${name} reset\` forgets the conversation of \`${name}\` questions in this channel.`,
    `\`${name} reset <link to a thread message>\` forgets that thread's conversation.`,
    `\`${name} cancel\` stops the run answering \`${name}\` questions here; \`${name} cancel <link>\` that thread's.`,
    'In a thread, mention the bot to ask; it answers in the thread.',
  ].join('\n');
}

function ephemeral(text: string): SlackHttpResponse {
  return jsonResponse(200, { response_type: 'ephemeral', text });
}
