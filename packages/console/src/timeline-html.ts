import type { SessionEvent } from '@baton/core';
import { formatDuration, formatTime, formatUsage } from './format.js';
import { type HtmlValue, html, prettyJson, type SafeHtml } from './html.js';
import type { CallInfo } from './session-digest.js';

/** Above this many characters a block starts collapsed; nothing is cut. */
const COLLAPSE_CHARS = 1_500;

const OUTCOME_TEXT: Record<string, string> = {
  ok: 'ok',
  error: 'error',
  rejected: 'rejected',
  unknown: 'outcome unknown (at-most-once: started once, never re-run)',
};

function block(label: string, text: string): SafeHtml {
  const pre = html`<pre>${text}</pre>`;
  if (text.length <= COLLAPSE_CHARS)
    return html`<div class="block"><span class="label">${label}</span>${pre}</div>`;
  return html`<details class="block"><summary>${label} (${text.length.toLocaleString('en-US')} characters)</summary>${pre}</details>`;
}

function item(event: SessionEvent, title: HtmlValue, body: HtmlValue, extraClass = ''): SafeHtml {
  const iso = new Date(event.at).toISOString();
  return html`<li class="step step-${event.kind}${extraClass}" id="e${event.seq}" data-seq="${event.seq}">
<div class="step-head"><span class="seq">#${event.seq}</span> <span class="title">${title}</span> <time datetime="${iso}">${formatTime(event.at)}</time></div>
${body}</li>`;
}

/** One timeline entry per event: what happened, with the figures an operator asks about. */
export function timelineItem(event: SessionEvent, calls: ReadonlyMap<string, CallInfo>): SafeHtml {
  switch (event.kind) {
    case 'input':
      return item(
        event,
        html`Input <span class="meta">from ${event.source}${event.sender ? html` (${event.sender})` : ''}</span>`,
        html`<p class="text">${event.text}</p>`,
      );
    case 'model_response': {
      const meta = html`${event.provider} · ${event.model} · ${formatUsage(event.usage)} · ${formatDuration(event.latencyMs)} · stop: ${event.stopReason}`;
      const toolCalls = event.toolCalls.map(
        (call) =>
          html`<li><span class="tool">${call.name}</span> <span class="meta">${call.callId}</span>${block('arguments', prettyJson(call.arguments))}</li>`,
      );
      return item(
        event,
        html`Model call <span class="meta">${meta}</span>`,
        html`${event.text ? html`<p class="text">${event.text}</p>` : ''}${toolCalls.length > 0 ? html`<ul class="calls" aria-label="tool calls">${toolCalls}</ul>` : ''}`,
      );
    }
    case 'tool_intent':
      return item(
        event,
        html`Tool started <span class="tool">${event.name}</span> <span class="meta">${event.callId} · at-most-once: intent recorded before it ran</span>`,
        '',
      );
    case 'tool_result': {
      const call = calls.get(event.callId);
      const output = prettyJson(event.output);
      return item(
        event,
        html`Tool call <span class="tool">${event.name}</span> <span class="outcome outcome-${event.outcome}">${OUTCOME_TEXT[event.outcome] ?? event.outcome}</span> <span class="meta">${event.callId} · ${formatDuration(event.durationMs)}</span>`,
        html`${call ? block('arguments', prettyJson(call.arguments)) : ''}${block(event.outcome === 'ok' ? 'result' : 'error', output)}${event.statePatch ? block('tool state set', prettyJson(event.statePatch)) : ''}`,
        event.outcome === 'ok' ? '' : ' step-problem',
      );
    }
    case 'interrupt':
      return item(
        event,
        'Waiting for approval',
        html`<ul class="calls">${event.callIds.map((callId) => html`<li><span class="tool">${calls.get(callId)?.name ?? 'call'}</span> <span class="meta">${callId}</span></li>`)}</ul>`,
      );
    case 'decision':
      return item(
        event,
        html`${event.approved ? 'Approved' : 'Rejected'} <span class="meta">${event.callId}${event.by ? html` by ${event.by}` : ''}</span>`,
        event.reason ? html`<p class="text">${event.reason}</p>` : '',
      );
    case 'state_change':
      return item(
        event,
        html`Tool state changed <span class="meta">by ${event.by}</span>`,
        block('patch', prettyJson(event.patch)),
      );
    case 'summary':
      return item(
        event,
        html`Earlier turns summarized <span class="meta">through #${event.throughSeq}${event.usage ? html` · ${formatUsage(event.usage)}` : ''}</span>`,
        block('summary', event.text),
      );
    case 'error':
      return item(
        event,
        html`Error <span class="meta">${event.code}${event.retryable ? ' · retryable' : ''}</span>`,
        html`<p class="text">${event.message}</p>`,
        ' step-problem',
      );
    case 'continuation':
      return item(
        event,
        html`Continued in a new invocation <span class="meta">${event.reason === 'deadline' ? 'the invocation ran out of time' : 'step limit per invocation'} · next: ${event.nextStep}</span>`,
        '',
        ' step-divider',
      );
    case 'run_finished':
      return item(
        event,
        html`Run finished <span class="meta">${event.reason}</span>`,
        // A structured result shows as the validated JSON instead of its text.
        event.output !== undefined
          ? block('output', prettyJson(event.output))
          : event.text
            ? html`<p class="text">${event.text}</p>`
            : '',
        event.reason === 'failed' ? ' step-problem step-divider' : ' step-divider',
      );
    case 'outbox':
      return item(
        event,
        html`Reply queued <span class="meta">${event.channel} · ${event.messageId}</span>`,
        block('payload', prettyJson(event.payload)),
      );
    case 'outbox_attempt':
      return item(
        event,
        html`Delivery attempt ${String(event.attempt)} failed <span class="meta">${event.messageId} · ${event.error} · next at ${new Date(event.retryAt).toISOString()}</span>`,
        '',
        ' step-problem',
      );
    case 'outbox_sent':
      return item(
        event,
        html`Reply sent <span class="meta">${event.messageId}</span>`,
        event.receipt ? block('receipt', prettyJson(event.receipt)) : '',
      );
    default:
      // A kind from a newer Baton: show it rather than hide it.
      return item(event, html`${(event as { kind: string }).kind}`, block('event', prettyJson(event)));
  }
}

/** The conversation as the people in it saw it: inputs and the model's words. */
export function conversationItem(event: SessionEvent): SafeHtml | null {
  if (event.kind === 'input') {
    return html`<li class="message message-user" data-seq="${event.seq}"><span class="who">${event.sender ?? 'user'}</span><p class="text">${event.text}</p></li>`;
  }
  if (event.kind === 'model_response' && event.text) {
    return html`<li class="message message-assistant" data-seq="${event.seq}"><span class="who">assistant</span><p class="text">${event.text}</p></li>`;
  }
  if (event.kind === 'summary') {
    return html`<li class="message message-note" data-seq="${event.seq}"><span class="who">summary</span><p class="text">Turns up to #${event.throughSeq} were summarized.</p></li>`;
  }
  return null;
}
