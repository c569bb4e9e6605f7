import type { Baton } from '../baton.js';
import type { EventOf, SessionEvent, ToolCall, Usage } from '../events.js';
import type { Json, JsonObject } from '../json.js';
import { approvalRequestId, type ResponsePosition, responseId, responseNotFound } from './response-id.js';

/** What a response echoes of its request. */
export interface ResponseEcho {
  /** The agent (the request's `model`). */
  model: string;
  previousResponseId?: string | null;
  metadata?: JsonObject | null;
}

export type ResponseStatus = 'completed' | 'incomplete' | 'in_progress' | 'failed' | 'cancelled';

/** The server-label of every `mcp_call` and `mcp_approval_request`: Baton's own tools. */
export const SERVER_LABEL = 'baton';
const PAGE = 200;
/** How far back a call named by a result (decided in an earlier response) is looked up. */
const CALL_LOOKBACK = 200;

/**
 * Whether an event ends the response that starts at `position` (as `answerOf` decides for the JSON
 * answer): a wait for approval, a run that failed or was cancelled, or a finished run whose last
 * model response saw the position.
 *
 * @example
 *   const ends = responseEnds(7); events.find(ends); // the interrupt or run_finished that ends it
 */
export function responseEnds(position: number): (event: SessionEvent) => boolean {
  let response: EventOf<'model_response'> | undefined;
  return (event) => {
    if (event.seq <= position) return false;
    if (event.kind === 'model_response') response = event;
    if (event.kind === 'interrupt') return true;
    if (event.kind !== 'run_finished') return false;
    if (event.reason !== 'completed' && event.reason !== 'max_steps') return true;
    return response !== undefined && (response.contextThrough ?? response.seq) >= position;
  };
}

/**
 * The Responses API object for the response at `position`, from the session's log: one assistant
 * `message` per model response with text, one `mcp_call` per tool result (server_label 'baton'),
 * one `mcp_approval_request` per call waiting for approval, the usage of its model calls, and
 * its status (`in_progress` while the run goes on). A 404 in OpenAI's shape when nothing answers
 * there (no session, or the event there is no input or decision).
 *
 * @example
 *   const body = await readResponse(baton, { ref, seq: 7 }, { model: 'assistant' });
 *   body.status; // 'completed'
 */
export async function readResponse(
  baton: Baton,
  position: ResponsePosition,
  echo: ResponseEcho,
): Promise<JsonObject & { status: ResponseStatus }> {
  const id = responseId(position);
  const ends = responseEnds(position.seq);
  const events: SessionEvent[] = [];
  let end: SessionEvent | undefined;
  for (let after = position.seq - 1; end === undefined; ) {
    const page = await baton.store.readEvents(position.ref, { afterSeq: after, limit: PAGE });
    for (const event of page) {
      events.push(event);
      if (ends(event)) {
        end = event;
        break;
      }
    }
    if (page.length < PAGE) break;
    after = page.at(-1)!.seq;
  }
  const first = events[0];
  if (!first || first.seq !== position.seq || (first.kind !== 'input' && first.kind !== 'decision')) {
    throw responseNotFound(id);
  }
  const calls = await callsOf(baton, position, events);
  const output: JsonObject[] = [];
  const usage: Usage = { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 };
  let messages = 0;
  for (const event of events) {
    if (event.kind === 'model_response') {
      usage.inputTokens += event.usage.inputTokens;
      usage.outputTokens += event.usage.outputTokens;
      usage.cachedInputTokens! += event.usage.cachedInputTokens ?? 0;
      if (event.text !== '')
        output.push(messageItem(messageId(position, messages++), event.text, 'completed'));
    }
    if (event.kind === 'tool_result') output.push(mcpCallItem(event, calls.get(event.callId)));
    if (event.kind === 'interrupt') {
      for (const callId of event.callIds) output.push(approvalItem(callId, calls.get(callId)));
    }
  }
  const status = statusOf(end);
  const text = output.flatMap((item) => (item.type === 'message' ? [textOf(item)] : [])).join('');
  return {
    id,
    object: 'response',
    created_at: Math.floor(first.at / 1000),
    ...(end && status !== 'in_progress' ? { completed_at: Math.floor(end.at / 1000) } : {}),
    status,
    background: false,
    error: status === 'failed' ? { code: 'server_error', message: failure(events) } : null,
    incomplete_details: status === 'incomplete' ? { reason: 'max_steps' } : null,
    instructions: null,
    max_output_tokens: null,
    model: echo.model,
    output,
    output_text: text,
    parallel_tool_calls: true,
    previous_response_id: echo.previousResponseId ?? null,
    conversation: { id: position.ref.sessionId },
    temperature: null,
    tool_choice: 'auto',
    tools: [],
    top_p: null,
    metadata: echo.metadata ?? {},
    usage: {
      input_tokens: usage.inputTokens,
      input_tokens_details: { cached_tokens: usage.cachedInputTokens ?? 0 },
      output_tokens: usage.outputTokens,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: usage.inputTokens + usage.outputTokens,
    },
  };
}

/** The id of the k-th assistant message of a response (the same streamed and read back). */
export function messageId(position: ResponsePosition, k: number): string {
  return `msg_${position.seq}_${k}`;
}

/** An assistant `message` item with one `output_text` part. */
export function messageItem(id: string, text: string, status: 'in_progress' | 'completed'): JsonObject {
  return {
    type: 'message',
    id,
    role: 'assistant',
    status,
    content: status === 'in_progress' ? [] : [outputText(text)],
  };
}

export function outputText(text: string): JsonObject {
  return { type: 'output_text', text, annotations: [], logprobs: [] };
}

/** A tool's recorded result as an `mcp_call` item: output on success, error otherwise. */
export function mcpCallItem(
  result: Pick<EventOf<'tool_result'>, 'callId' | 'name' | 'outcome' | 'output'>,
  call: ToolCall | undefined,
): JsonObject {
  const ok = result.outcome === 'ok';
  const error =
    result.outcome === 'rejected' ? `rejected: ${textOfJson(result.output)}` : textOfJson(result.output);
  return {
    type: 'mcp_call',
    id: `mcp_${result.callId}`,
    server_label: SERVER_LABEL,
    name: result.name,
    arguments: call?.arguments ?? '',
    output: ok ? textOfJson(result.output) : null,
    error: ok ? null : error,
    status: ok ? 'completed' : 'failed',
    approval_request_id: null,
  };
}

/** A call waiting for approval as an `mcp_approval_request` item. */
export function approvalItem(callId: string, call: ToolCall | undefined): JsonObject {
  return {
    type: 'mcp_approval_request',
    id: approvalRequestId(callId),
    server_label: SERVER_LABEL,
    name: call?.name ?? '',
    arguments: call?.arguments ?? '',
  };
}

/** The tool calls the response's results and approvals name, looked up earlier in the log if decided before it. */
async function callsOf(
  baton: Baton,
  position: ResponsePosition,
  events: SessionEvent[],
): Promise<Map<string, ToolCall>> {
  const calls = new Map<string, ToolCall>();
  const collect = (list: SessionEvent[]) => {
    for (const event of list) {
      if (event.kind === 'model_response') for (const call of event.toolCalls) calls.set(call.callId, call);
    }
  };
  collect(events);
  const named = events.flatMap((event) =>
    event.kind === 'tool_result' ? [event.callId] : event.kind === 'interrupt' ? event.callIds : [],
  );
  if (named.some((callId) => !calls.has(callId)) && position.seq > 1) {
    const from = Math.max(0, position.seq - 1 - CALL_LOOKBACK);
    collect(await baton.store.readEvents(position.ref, { afterSeq: from, limit: position.seq - 1 - from }));
  }
  return calls;
}

function statusOf(end: SessionEvent | undefined): ResponseStatus {
  if (end === undefined) return 'in_progress';
  if (end.kind !== 'run_finished' || end.reason === 'completed') return 'completed';
  if (end.reason === 'max_steps') return 'incomplete';
  return end.reason === 'failed' ? 'failed' : 'cancelled';
}

function failure(events: SessionEvent[]): string {
  const error = events.findLast((event) => event.kind === 'error');
  return error?.kind === 'error' ? `${error.code}: ${error.message}` : 'the run failed';
}

function textOf(item: JsonObject): string {
  const content = item.content as JsonObject[];
  return content.map((part) => String(part.text ?? '')).join('');
}

function textOfJson(value: Json): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
