import type { RunEndReason, SessionEvent } from '../events.js';
import type { Json, JsonObject } from '../json.js';

/**
 * One chunk of the AI SDK's UI message stream protocol (`ai` 5 and 6, `useChat`): `start`,
 * `start-step`, `text-start`, `text-delta`, `text-end`, `tool-input-available`,
 * `tool-approval-request`, `tool-output-available`, `tool-output-error`, `tool-output-denied`,
 * `finish-step`, `finish`, `error`. Sent as `data: <json>` server-sent events.
 */
export type UiChunk = { type: string } & JsonObject;

/** The id of the text part of every step: one step streams at most one text part at a time. */
export const TEXT_ID = 'text';

/**
 * The chunks a committed event becomes, all of them (a client that saw part of a model call live
 * gets the rest; see StreamState):
 *
 * - `input` -> `start` (a new assistant message answers it; the input in `messageMetadata`);
 * - `model_response` -> `start-step`, `text-start` / `text-delta` / `text-end` (when it has text),
 *   one `tool-input-available` per call, `finish-step`;
 * - `tool_result` -> `tool-output-available`, `tool-output-error` (error, unknown outcome) or
 *   `tool-output-denied` (rejected);
 * - `interrupt` -> one `tool-approval-request` per call waiting (its approval id is the call id,
 *   which `POST /sessions/{id}/approvals/{callId}` decides);
 * - `error` -> `error`; `run_finished` -> `finish` with its reason (and its structured `output` as
 *   `messageMetadata.output`);
 * - anything else (decisions, outbox, continuations, summaries) -> nothing.
 *
 * @example
 *   eventChunks({ kind: 'run_finished', reason: 'completed', text: 'Hi', v: 3, seq: 5, at: 0 });
 *   // [{ type: 'finish', finishReason: 'stop' }]
 */
export function eventChunks(event: SessionEvent): UiChunk[] {
  switch (event.kind) {
    case 'input':
      return [
        {
          type: 'start',
          messageId: `msg-${event.seq}`,
          messageMetadata: { inputSeq: event.seq, source: event.source, text: event.text },
        },
      ];
    case 'model_response':
      return [
        { type: 'start-step' },
        ...(event.text === ''
          ? []
          : [
              { type: 'text-start', id: TEXT_ID },
              { type: 'text-delta', id: TEXT_ID, delta: event.text },
              { type: 'text-end', id: TEXT_ID },
            ]),
        ...event.toolCalls.map((call) => ({
          type: 'tool-input-available',
          toolCallId: call.callId,
          toolName: call.name,
          input: parsedArguments(call.arguments),
        })),
        { type: 'finish-step' },
      ];
    case 'tool_result':
      if (event.outcome === 'ok')
        return [{ type: 'tool-output-available', toolCallId: event.callId, output: event.output }];
      if (event.outcome === 'rejected') return [{ type: 'tool-output-denied', toolCallId: event.callId }];
      return [{ type: 'tool-output-error', toolCallId: event.callId, errorText: errorText(event.output) }];
    case 'interrupt':
      return event.callIds.map((callId) => ({
        type: 'tool-approval-request',
        approvalId: callId,
        toolCallId: callId,
      }));
    case 'error':
      return [{ type: 'error', errorText: `${event.code}: ${event.message}` }];
    case 'run_finished': {
      // A structured result rides along as the message's metadata (`useChat` merges it in).
      const chunk: UiChunk = { type: 'finish', finishReason: finishReason(event.reason) };
      if (event.output !== undefined) chunk.messageMetadata = { output: event.output };
      return [chunk];
    }
    default:
      return [];
  }
}

/**
 * Whether a model call in flight after some seq is still that call once this event follows it:
 * events others append meanwhile (input, decisions, outbox entries, retries) and the results of
 * idempotent tools (committed with the response of the call made after them) leave it running;
 * any other event (its response, a continuation, an error, the run's end, a kind this version does
 * not know) means the call is over.
 */
export function leavesCallRunning(event: SessionEvent): boolean {
  return PASSIVE.has(event.kind);
}

const PASSIVE = new Set<string>([
  'input',
  'decision',
  'outbox',
  'outbox_sent',
  'state_change',
  'retry_scheduled',
  'tool_result',
]);

function finishReason(reason: RunEndReason | string): string {
  if (reason === 'completed') return 'stop';
  if (reason === 'failed') return 'error';
  return 'other';
}

function parsedArguments(text: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch {
    // The loop records invalid arguments as the call's error; show them as the model wrote them.
    return text;
  }
}

function errorText(output: Json): string {
  return typeof output === 'string' ? output : JSON.stringify(output);
}
