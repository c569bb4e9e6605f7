import type { CallInfo } from '@baton/console';
import { formatDuration, formatTime, formatUsage } from '@baton/console';
import type { SessionEvent } from '@baton/core';
import { terminalSafe } from './text-table.js';

/** Past this many characters a value is shortened, and the line says so and where to see it whole. */
const SHORTEN_AT = 400;
const INDENT = ' '.repeat(31);

function compact(value: unknown): string {
  let text: string;
  if (typeof value === 'string') {
    try {
      text = JSON.stringify(JSON.parse(value));
    } catch {
      text = value;
    }
  } else {
    text = JSON.stringify(value) ?? 'undefined';
  }
  text = terminalSafe(text);
  if (text.length <= SHORTEN_AT) return text;
  return `${text.slice(0, SHORTEN_AT)}… (${text.length - SHORTEN_AT} more characters: sessions events --json)`;
}

function indented(text: string): string {
  return terminalSafe(text).split('\n').join(`\n${INDENT}`);
}

function line(event: SessionEvent, label: string, summary: string, details: string[] = []): string {
  const head = `#${String(event.seq).padEnd(5)} ${formatTime(event.at)}  ${label.padEnd(9)} ${summary}`;
  return [head, ...details.map((detail) => `${INDENT}${detail}`)].join('\n');
}

/** One timeline entry per event, for a terminal: figures first, contents indented below. */
export function timelineText(event: SessionEvent, calls: ReadonlyMap<string, CallInfo>): string {
  switch (event.kind) {
    case 'input':
      return line(
        event,
        'input',
        `from ${terminalSafe(event.source)}${event.sender ? ` (${terminalSafe(event.sender)})` : ''}`,
        [indented(event.text)],
      );
    case 'model_response':
      return line(
        event,
        'model',
        `${terminalSafe(event.provider)} ${terminalSafe(event.model)} · ${formatUsage(event.usage)} · ${formatDuration(event.latencyMs)} · stop ${event.stopReason}`,
        [
          ...(event.text ? [indented(event.text)] : []),
          ...event.toolCalls.map(
            (call) => `→ ${terminalSafe(call.name)} ${terminalSafe(call.callId)} ${compact(call.arguments)}`,
          ),
        ],
      );
    case 'tool_intent':
      return line(
        event,
        'started',
        `${terminalSafe(event.name)} ${terminalSafe(event.callId)} (at-most-once: intent recorded)`,
      );
    case 'tool_result': {
      const call = calls.get(event.callId);
      const outcome =
        event.outcome === 'unknown'
          ? 'OUTCOME UNKNOWN (at-most-once, not re-run)'
          : event.outcome.toUpperCase();
      return line(
        event,
        'tool',
        `${terminalSafe(event.name)} ${terminalSafe(event.callId)} ${outcome} · ${formatDuration(event.durationMs)}`,
        [
          ...(call ? [`args   ${compact(call.arguments)}`] : []),
          `${event.outcome === 'ok' ? 'result' : 'error '} ${compact(event.output)}`,
          ...(event.statePatch ? [`state  ${compact(event.statePatch)}`] : []),
        ],
      );
    }
    case 'interrupt':
      return line(
        event,
        'waiting',
        `for approval: ${event.callIds.map((id) => `${terminalSafe(calls.get(id)?.name ?? 'call')} ${terminalSafe(id)}`).join(', ')}`,
      );
    case 'decision':
      return line(
        event,
        event.approved ? 'approved' : 'rejected',
        `${terminalSafe(event.callId)}${event.by ? ` by ${terminalSafe(event.by)}` : ''}${event.reason ? `: ${terminalSafe(event.reason)}` : ''}`,
      );
    case 'state_change':
      return line(event, 'state', `set by ${terminalSafe(event.by)} ${compact(event.patch)}`);
    case 'summary':
      return line(
        event,
        'summary',
        `turns through #${event.throughSeq}${event.usage ? ` · ${formatUsage(event.usage)}` : ''}`,
        [indented(event.text)],
      );
    case 'error':
      return line(
        event,
        'ERROR',
        `${terminalSafe(event.code)}${event.retryable ? ' (retryable)' : ''}: ${terminalSafe(event.message)}`,
      );
    case 'continuation':
      return line(
        event,
        'continue',
        `in a new invocation (${event.reason === 'deadline' ? 'out of time' : 'step limit'}) · next ${terminalSafe(event.nextStep)}`,
      );
    case 'run_finished':
      return line(event, 'finished', event.reason, event.text ? [indented(event.text)] : []);
    case 'outbox':
      return line(
        event,
        'outbox',
        `${terminalSafe(event.channel)} ${terminalSafe(event.messageId)} ${compact(event.payload)}`,
      );
    case 'outbox_sent':
      return line(
        event,
        'sent',
        `${terminalSafe(event.messageId)}${event.receipt ? ` ${compact(event.receipt)}` : ''}`,
      );
    default:
      return line(event, terminalSafe((event as { kind: string }).kind), compact(event));
  }
}

/** The conversation: who said what, in order. */
export function conversationText(event: SessionEvent): string | null {
  const say = (who: string, text: string) =>
    `${who.padEnd(10)} ${terminalSafe(text)
      .split('\n')
      .join(`\n${' '.repeat(11)}`)}`;
  if (event.kind === 'input') return say(terminalSafe(event.sender ?? 'user'), event.text);
  if (event.kind === 'model_response' && event.text) return say('assistant', event.text);
  if (event.kind === 'summary') return say('summary', `(turns through #${event.throughSeq} summarized)`);
  return null;
}
