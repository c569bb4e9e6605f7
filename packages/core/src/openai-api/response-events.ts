import type { Baton } from '../baton.js';
import type { ToolCall, ToolOutcome } from '../events.js';
import type { Json, JsonObject } from '../json.js';
import {
  approvalItem,
  mcpCallItem,
  messageId,
  messageItem,
  outputText,
  type ResponseEcho,
  readResponse,
} from './response-builder.js';
import type { ResponsePosition } from './response-id.js';

/** One Responses API stream event (`type`, `sequence_number`, ...), or null for a keep-alive. */
export type ResponseStreamEvent = (JsonObject & { type: string }) | null;

/**
 * The Responses API's event stream of the response at `position`, translated from the session's
 * UI message stream (`openSessionStream`, so it follows the run across invocations):
 * `response.created`, `response.in_progress`, then per assistant text `response.output_item.added`,
 * `response.content_part.added`, `response.output_text.delta`..., `response.output_text.done`,
 * `response.content_part.done`, `response.output_item.done`; per tool result an `mcp_call` item
 * (`added`, `response.mcp_call.completed` or `.failed`, `done`); per call waiting for approval an
 * `mcp_approval_request` item (`added`, `done`); and last `response.completed` (or `.incomplete`,
 * `.failed`) with the response read back from the log, usage included. A stream that reaches its
 * time limit first just ends: the response is `in_progress`, `GET /v1/responses/{id}` has the rest.
 *
 * @example
 *   for await (const event of responseEvents(baton, position, echo, sessionStream)) write(event);
 */
export async function* responseEvents(
  baton: Baton,
  position: ResponsePosition,
  echo: ResponseEcho,
  source: ReadableStream<Uint8Array>,
  knownCalls: ReadonlyMap<string, ToolCall> = new Map(),
): AsyncGenerator<ResponseStreamEvent> {
  let sequence = 0;
  const event = (type: string, fields: JsonObject): JsonObject & { type: string } => ({
    type,
    sequence_number: sequence++,
    ...fields,
  });
  const start = await readResponse(baton, position, echo);
  const snapshot = {
    ...start,
    status: 'in_progress',
    output: [],
    output_text: '',
    usage: null,
    completed_at: null,
  };
  yield event('response.created', { response: snapshot });
  yield event('response.in_progress', { response: snapshot });
  const calls = new Map(knownCalls);
  let outputs = 0;
  let messages = 0;
  let text: { id: string; index: number; text: string } | null = null;
  for await (const chunk of uiChunks(source)) {
    if (chunk === null) {
      yield null;
      continue;
    }
    if (chunk === 'done') break;
    const type = chunk.type;
    if (type === 'text-start') {
      text = { id: messageId(position, messages++), index: outputs++, text: '' };
      yield event('response.output_item.added', {
        output_index: text.index,
        item: messageItem(text.id, '', 'in_progress'),
      });
      yield event('response.content_part.added', { ...part(text), part: outputText('') });
    } else if (type === 'text-delta' && text) {
      const delta = String(chunk.delta ?? '');
      text.text += delta;
      yield event('response.output_text.delta', { ...part(text), delta, logprobs: [] });
    } else if (type === 'text-end' && text) {
      yield event('response.output_text.done', { ...part(text), text: text.text, logprobs: [] });
      yield event('response.content_part.done', { ...part(text), part: outputText(text.text) });
      yield event('response.output_item.done', {
        output_index: text.index,
        item: messageItem(text.id, text.text, 'completed'),
      });
      text = null;
    } else if (type === 'tool-input-available') {
      const callId = String(chunk.toolCallId);
      const input = chunk.input as Json;
      const args = typeof input === 'string' ? input : JSON.stringify(input);
      calls.set(callId, { callId, name: String(chunk.toolName), arguments: args });
    } else if (
      type === 'tool-output-available' ||
      type === 'tool-output-error' ||
      type === 'tool-output-denied'
    ) {
      const callId = String(chunk.toolCallId);
      const call = calls.get(callId);
      const outcome: ToolOutcome =
        type === 'tool-output-available' ? 'ok' : type === 'tool-output-denied' ? 'rejected' : 'error';
      const output = (type === 'tool-output-available' ? chunk.output : chunk.errorText) ?? 'rejected';
      const item = mcpCallItem({ callId, name: call?.name ?? '', outcome, output: output as Json }, call);
      const index = outputs++;
      yield event('response.output_item.added', {
        output_index: index,
        item: { ...item, status: 'in_progress', output: null, error: null },
      });
      const ended = outcome === 'ok' ? 'response.mcp_call.completed' : 'response.mcp_call.failed';
      yield event(ended, { output_index: index, item_id: String(item.id) });
      yield event('response.output_item.done', { output_index: index, item });
    } else if (type === 'tool-approval-request') {
      const callId = String(chunk.toolCallId);
      const item = approvalItem(callId, calls.get(callId));
      const index = outputs++;
      yield event('response.output_item.added', { output_index: index, item });
      yield event('response.output_item.done', { output_index: index, item });
    }
  }
  const final = await readResponse(baton, position, echo);
  if (final.status === 'in_progress') return;
  const kind =
    final.status === 'completed' ? 'completed' : final.status === 'failed' ? 'failed' : 'incomplete';
  yield event(`response.${kind}`, { response: final });
}

function part(text: { id: string; index: number }): JsonObject {
  return { item_id: text.id, output_index: text.index, content_index: 0 };
}

/** The UI message stream's chunks: an object per `data:` line, null per keep-alive, 'done' for `[DONE]`. */
async function* uiChunks(source: ReadableStream<Uint8Array>): AsyncGenerator<JsonObject | null | 'done'> {
  const decoder = new TextDecoder();
  let buffer = '';
  const reader = source.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf('\n\n');
        if (block.startsWith(':')) yield null;
        const data = block
          .split('\n')
          .filter((line) => line.startsWith('data: '))
          .map((line) => line.slice(6))
          .join('\n');
        if (data === '') continue;
        if (data === '[DONE]') {
          yield 'done';
          return;
        }
        yield JSON.parse(data) as JsonObject;
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
