import type { JsonObject } from '@baton/core';

/** What one Slack message shows; `text` is also the notification and screen-reader fallback. */
export interface SlackMessageContent {
  text: string;
  blocks?: JsonObject[];
}

export const APPROVE_ACTION = 'baton_approve';
export const REJECT_ACTION = 'baton_reject';

export const MESSAGES = {
  working: ':hourglass_flowing_sand: Working on it…',
  waitingForApproval: ':raised_hand: Waiting for approval…',
  answeredBelow: ':arrow_down: Answered below.',
  noReply: '_(finished without a reply)_',
  maxSteps: ':warning: I stopped because this request reached its step limit.',
  cancelled: ':no_entry_sign: Cancelled: I stopped working on this request.',
  failed: (code: string) => `:warning: Sorry, I could not finish this request (${code}).`,
} as const;

/** Section text may hold 3,000 characters; arguments beyond this are cut with a visible note. */
const MAX_ARGUMENT_CHARS = 2_500;

/**
 * Escapes the three characters Slack's mrkdwn reserves. Model output is escaped too: a reply can
 * then never ping @channel or forge a link, whatever a prompt injection asked for.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Splits text into messages of at most `maxChars`, preferring paragraph, line and word breaks and
 * never cutting a surrogate pair or an `&amp;`-style entity. Joining the parts gives the text back:
 * nothing is dropped.
 */
export function splitMessage(text: string, maxChars: number): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > maxChars) {
    const cut = cutPoint(rest, maxChars);
    parts.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  if (rest.length > 0 || parts.length === 0) parts.push(rest);
  return parts;
}

function cutPoint(text: string, maxChars: number): number {
  const window = text.slice(0, maxChars);
  const floor = Math.floor(maxChars / 2);
  let cut = maxChars;
  for (const separator of ['\n\n', '\n', ' ']) {
    const at = window.lastIndexOf(separator);
    if (at >= floor) {
      cut = at + separator.length;
      break;
    }
  }
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  const amp = text.lastIndexOf('&', cut - 1);
  if (amp > 0 && cut - amp < 6 && !text.slice(amp, cut).includes(';')) cut = amp;
  return Math.max(cut, 1);
}

export interface ApprovalView {
  tenant: string;
  sessionId: string;
  callId: string;
  tool: string;
  arguments: string;
  /** The call started once and its outcome is unknown: approving runs it again. */
  unknownOutcome: boolean;
  decision?: { approved: boolean; by?: string | undefined; reason?: string | undefined };
}

/** The approval request with Approve / Reject buttons, or (once decided) the decision without them. */
export function approvalMessage(view: ApprovalView): SlackMessageContent {
  const tool = `\`${escapeMrkdwn(view.tool)}\``;
  const details = `\n\`\`\`${argumentsText(view.arguments)}\`\`\``;
  const caution = view.unknownOutcome
    ? '\n:warning: This call was started before and its outcome is unknown; approving runs it again.'
    : '';
  if (view.decision) {
    const verdict = view.decision.approved ? ':white_check_mark: *Approved*' : ':x: *Rejected*';
    const by = view.decision.by ? ` by ${person(view.decision.by)}` : '';
    const reason = view.decision.reason ? `: ${escapeMrkdwn(view.decision.reason)}` : '';
    const line = `${verdict}${by}${reason} — ${tool}`;
    return { text: line, blocks: [section(`${line}${details}`)] };
  }
  const line = `*Approval needed:* I want to run ${tool}`;
  const value = JSON.stringify({ v: 1, t: view.tenant, s: view.sessionId, c: view.callId });
  return {
    text: `Approval needed: ${view.tool}`,
    blocks: [
      section(`${line}${details}${caution}`),
      {
        type: 'actions',
        block_id: 'baton_approval',
        elements: [
          button(APPROVE_ACTION, 'Approve', 'primary', value),
          button(REJECT_ACTION, 'Reject', 'danger', value),
        ],
      },
    ],
  };
}

function argumentsText(raw: string): string {
  let pretty = raw;
  try {
    pretty = JSON.stringify(JSON.parse(raw), null, 2);
  } catch {
    // Shown as the model wrote it: the loop reports invalid arguments to the model, not to people.
  }
  const escaped = escapeMrkdwn(pretty);
  if (escaped.length <= MAX_ARGUMENT_CHARS) return escaped;
  const shown = splitMessage(escaped, MAX_ARGUMENT_CHARS)[0]!;
  return `${shown}\n… (${escaped.length - shown.length} more characters not shown)`;
}

function person(by: string): string {
  // Decisions record `slack:<U…>` for a Slack user (older records the bare id); others by name.
  const id = by.startsWith('slack:') ? by.slice('slack:'.length) : by;
  return /^[UW][A-Z0-9]{2,}$/.test(id) ? `<@${id}>` : escapeMrkdwn(by);
}

function section(text: string): JsonObject {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

function button(actionId: string, label: string, style: string, value: string): JsonObject {
  return { type: 'button', action_id: actionId, text: { type: 'plain_text', text: label }, style, value };
}
