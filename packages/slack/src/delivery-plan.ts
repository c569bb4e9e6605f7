import type { EventOf, SessionEvent, SessionRef, ToolCall } from '@baton/core';
import {
  approvalMessage,
  escapeMrkdwn,
  MESSAGES,
  type SlackMessageContent,
  splitMessage,
} from './slack-messages.js';
import { readOrigin, type SlackOrigin } from './slack-metadata.js';

/** Where a message goes: a channel, and the thread in it (null: the channel itself). */
export interface SlackTarget {
  channel: string;
  thread: string | null;
}

/**
 * One Slack message the session should show, under a stable slot name:
 * - `in:<seq>`: the status message under a Slack input (working… then the answer),
 * - `ap:<callId>`: an approval request (buttons, then the decision),
 * - `a:<seq>:<k>`: part k of the answer in model response `seq` that did not fit the status message.
 */
export interface PlannedMessage {
  slot: string;
  target: SlackTarget;
  content: SlackMessageContent;
}

interface WaitingInput {
  seq: number;
  origin: SlackOrigin;
}

/**
 * What the Slack thread should look like, derived from the log alone (so every invocation, and
 * every retry, plans the same messages). The outbox then records only the differences from what
 * was already recorded.
 */
export function planSlackMessages(
  events: readonly SessionEvent[],
  ref: SessionRef,
  options: { maxChars: number },
): PlannedMessage[] {
  const planned = new Map<string, PlannedMessage>();
  const set = (slot: string, target: SlackTarget, content: SlackMessageContent) => {
    planned.set(slot, { slot, target: planned.get(slot)?.target ?? target, content });
  };
  const calls = new Map<string, ToolCall>();
  const intents = new Set<string>();
  const undecided = new Set<string>();
  let waiting: WaitingInput[] = [];
  /** Inputs a cancel ends (those before it); input after it waits for its own answer. */
  let cancelled: WaitingInput[] = [];
  let target: SlackTarget | null = null;
  let lastOrigin: SlackOrigin | null = null;
  let lastInterrupt = 0;
  let lastError = 'error';

  const answer = (answered: WaitingInput[], seq: number, text: string) => {
    const last = answered.at(-1);
    if (!last) return;
    const where = { channel: last.origin.channel, thread: last.origin.thread };
    const parts = splitMessage(text, options.maxChars);
    for (const input of answered.slice(0, -1))
      set(`in:${input.seq}`, where, { text: MESSAGES.answeredBelow });
    // After an approval message the answer goes below it, where people are looking.
    const below = lastInterrupt > last.seq;
    set(`in:${last.seq}`, where, { text: below ? MESSAGES.answeredBelow : parts[0]! });
    parts.forEach((part, k) => {
      if (k > 0 || below) set(`a:${seq}:${k}`, where, { text: part });
    });
  };

  for (const event of events) {
    switch (event.kind) {
      case 'input': {
        // A child session of a Slack thread's session (an agent called as a tool): its approvals go
        // to the parent's thread; its answer is the parent's, which the parent's session posts.
        if (event.source === 'agent') {
          const replyTo = event.metadata?.replyTo;
          const parent =
            replyTo && typeof replyTo === 'object' && !Array.isArray(replyTo) ? readOrigin(replyTo) : null;
          if (parent) target = { channel: parent.channel, thread: parent.thread };
          break;
        }
        // A scheduled input (a reminder set in the thread) is answered where the conversation is.
        const origin: SlackOrigin | null =
          event.source === 'slack'
            ? readOrigin(event.metadata)
            : event.source === 'schedule'
              ? (waiting.at(-1)?.origin ?? lastOrigin)
              : null;
        if (!origin) break;
        lastOrigin = origin;
        target = { channel: origin.channel, thread: origin.thread };
        waiting.push({ seq: event.seq, origin });
        set(`in:${event.seq}`, target, { text: MESSAGES.working });
        break;
      }
      case 'model_response': {
        for (const call of event.toolCalls) calls.set(call.callId, call);
        if (event.toolCalls.length > 0) break;
        // Input committed while the model was thinking was not seen: a later response answers it.
        const through = event.contextThrough ?? event.seq;
        const answered = waiting.filter((input) => input.seq <= through);
        waiting = waiting.filter((input) => input.seq > through);
        answer(answered, event.seq, event.text.trim() ? escapeMrkdwn(event.text) : MESSAGES.noReply);
        break;
      }
      case 'tool_intent':
        intents.add(event.callId);
        break;
      case 'interrupt':
        lastInterrupt = event.seq;
        if (!target) break;
        for (const callId of event.callIds) {
          undecided.add(callId);
          set(`ap:${callId}`, target, approval(ref, calls, callId, intents.has(callId)));
        }
        break;
      case 'decision':
        undecided.delete(event.callId);
        if (planned.has(`ap:${event.callId}`)) {
          set(
            `ap:${event.callId}`,
            target!,
            approval(ref, calls, event.callId, intents.has(event.callId), event),
          );
        }
        break;
      case 'error':
        lastError = event.code;
        break;
      case 'cancel':
        cancelled = [...cancelled, ...waiting];
        waiting = [];
        break;
      case 'run_finished':
        if (event.reason === 'cancelled') {
          answer(cancelled, event.seq, MESSAGES.cancelled);
          cancelled = [];
        } else if (event.reason !== 'completed') {
          answer(
            waiting,
            event.seq,
            event.reason === 'max_steps' ? MESSAGES.maxSteps : MESSAGES.failed(lastError),
          );
          waiting = [];
        }
        break;
      default:
        break;
    }
  }
  for (const input of waiting) {
    const blocked = undecided.size > 0 && lastInterrupt > input.seq;
    const where = { channel: input.origin.channel, thread: input.origin.thread };
    set(`in:${input.seq}`, where, { text: blocked ? MESSAGES.waitingForApproval : MESSAGES.working });
  }
  return [...planned.values()];
}

function approval(
  ref: SessionRef,
  calls: Map<string, ToolCall>,
  callId: string,
  unknownOutcome: boolean,
  decision?: EventOf<'decision'>,
): SlackMessageContent {
  const call = calls.get(callId);
  return approvalMessage({
    tenant: ref.tenant,
    sessionId: ref.sessionId,
    callId,
    tool: call?.name ?? 'a tool',
    arguments: call?.arguments ?? '{}',
    unknownOutcome,
    ...(decision
      ? { decision: { approved: decision.approved, by: decision.by, reason: decision.reason } }
      : {}),
  });
}
