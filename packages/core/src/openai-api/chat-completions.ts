import { createHash } from 'node:crypto';
import type { Identity } from '../auth/identity.js';
import type { Baton } from '../baton.js';
import type { Json, JsonObject } from '../json.js';
import { openAiError } from './openai-errors.js';
import type { OpenAiRouteOptions } from './openai-route.js';
import { readResponse } from './response-builder.js';
import { responseId } from './response-id.js';
import { agentOf, contentText, outputFormat, type ResponseRequest } from './response-request.js';
import { answerResponse, type StartedResponse, startResponse, streamResponse } from './responses-route.js';
import { sseResponse } from './sse.js';

/**
 * `POST /v1/chat/completions`: a stateless client sends the whole history; Baton keeps the
 * session, so only the user messages after the last assistant (or tool) message are recorded, as
 * one input. The session is the `Baton-Session` header's, else `metadata.baton_session`'s, else a
 * new one, named in the answer's `Baton-Session` header. Retries dedupe on the Idempotency-Key,
 * else (a named session) on the history itself: the same history twice is the same turn. The
 * answer's content is the run's assistant text; a call waiting for approval is told in the text
 * and in `baton.pending_approvals` (decide it with `POST /sessions/{id}/approvals/{callId}`).
 *
 * @example
 *   await chatCompletion(baton, body, headers, identity, { deadline, waitMs: 10_000 });
 */
export async function chatCompletion(
  baton: Baton,
  body: JsonObject,
  headers: Record<string, string | undefined>,
  identity: Identity,
  options: OpenAiRouteOptions,
): Promise<Response> {
  const model = agentOf(baton, body.model);
  const text = newUserText(body.messages);
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean') {
    throw openAiError(400, 'stream must be true or false', 'invalid_request_error', 'stream');
  }
  const metadata = body.metadata;
  const named = headers['baton-session'] ?? sessionOfMetadata(metadata);
  const request: ResponseRequest = {
    model,
    text,
    approvals: [],
    ...(named ? { conversation: named } : {}),
    stream: body.stream === true,
    ...optional('output', outputFormat(body.response_format, 'response_format')),
  };
  const key = headers['idempotency-key'] ?? (named ? `chat:${historyKey(body.messages)}` : undefined);
  const started = await startResponse(baton, request, {
    identity,
    idempotencyKey: key,
    deadline: options.deadline,
  });
  const sessionHeader = { 'baton-session': started.position.ref.sessionId };
  const id = `chatcmpl_${responseId(started.position).slice(5)}`;
  if (body.stream === true) {
    const includeUsage = (body.stream_options as JsonObject | undefined)?.include_usage === true;
    return sseResponse(baton, chunks(baton, started, options, id, includeUsage), sessionHeader);
  }
  const response = await answerResponse(baton, started, options);
  const content = `${response.output_text}${approvalNote(response.output as JsonObject[])}`;
  const usage = response.usage as JsonObject;
  const completion = {
    id,
    object: 'chat.completion',
    created: response.created_at,
    model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content, refusal: null },
        finish_reason: response.status === 'incomplete' ? 'length' : 'stop',
        logprobs: null,
      },
    ],
    usage: chatUsage(usage),
    baton: batonPart(started, response),
  };
  return new Response(`${JSON.stringify(completion)}\n`, {
    status: 200,
    headers: { 'content-type': 'application/json', ...sessionHeader },
  });
}

async function* chunks(
  baton: Baton,
  started: StartedResponse,
  options: OpenAiRouteOptions,
  id: string,
  includeUsage: boolean,
): AsyncGenerator<string> {
  const created = Math.floor(baton.clock.now() / 1000);
  const model = started.echo.model;
  const chunk = (delta: JsonObject, finish: string | null, extra: JsonObject = {}) =>
    `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }], ...extra })}\n\n`;
  yield chunk({ role: 'assistant', content: '' }, null);
  const events = await streamResponse(baton, started, options);
  let final: JsonObject | undefined;
  for await (const event of events) {
    if (event === null) yield ': keep-alive\n\n';
    else if (event.type === 'response.output_text.delta') yield chunk({ content: String(event.delta) }, null);
    else if (
      event.type === 'response.output_item.done' &&
      (event.item as JsonObject).type === 'mcp_approval_request'
    )
      yield chunk({ content: approvalNote([event.item as JsonObject]) }, null);
    else if (
      event.type === 'response.completed' ||
      event.type === 'response.incomplete' ||
      event.type === 'response.failed'
    )
      final = event.response as JsonObject;
  }
  const response = final ?? (await readResponse(baton, started.position, started.echo));
  yield chunk({}, response.status === 'incomplete' ? 'length' : 'stop', {
    baton: batonPart(started, response),
  });
  if (includeUsage) {
    yield `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage: chatUsage(response.usage as JsonObject) })}\n\n`;
  }
  yield 'data: [DONE]\n\n';
}

/** The user messages after the last assistant or tool message, as one text. */
function newUserText(messages: Json | undefined): string {
  if (!Array.isArray(messages) || messages.length === 0) {
    throw openAiError(
      400,
      'messages must be a non-empty list of messages',
      'invalid_request_error',
      'messages',
    );
  }
  const texts: string[] = [];
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (message === null || typeof message !== 'object' || Array.isArray(message)) {
      throw openAiError(400, `messages[${i}] must be an object`, 'invalid_request_error', `messages[${i}]`);
    }
    if (message.role === 'system' || message.role === 'developer') continue;
    if (message.role !== 'user') break;
    texts.unshift(contentText(message.content, `messages[${i}].content`));
  }
  if (texts.length === 0 || texts.join('').trim() === '') {
    throw openAiError(
      400,
      'messages must end with a user message with text (Baton runs the tools; tool messages are not taken)',
      'invalid_request_error',
      'messages',
    );
  }
  return texts.join('\n\n');
}

function sessionOfMetadata(metadata: Json | undefined): string | undefined {
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) return undefined;
  return typeof metadata.baton_session === 'string' && metadata.baton_session !== ''
    ? metadata.baton_session
    : undefined;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function historyKey(messages: Json | undefined): string {
  // The history is the request: the same history sent again (an SDK retry) is the same turn.
  return createHash('sha256').update(JSON.stringify(messages), 'utf8').digest('hex').slice(0, 40);
}

/** Calls waiting for approval, told in the assistant's text (a chat client has no approval item). */
function approvalNote(output: JsonObject[]): string {
  const waiting = output.filter((item) => item.type === 'mcp_approval_request');
  if (waiting.length === 0) return '';
  const calls = waiting.map((item) => `${String(item.name)} ${String(item.arguments)}`).join('; ');
  return `\n\n[Waiting for approval: ${calls}]`;
}

function chatUsage(usage: JsonObject | null | undefined): JsonObject {
  const prompt = Number(usage?.input_tokens ?? 0);
  const completion = Number(usage?.output_tokens ?? 0);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

/** What the answer adds to OpenAI's shape: the session, its status and the calls waiting for approval. */
function batonPart(started: StartedResponse, response: JsonObject): JsonObject {
  const output = response.output as JsonObject[];
  return {
    session: started.position.ref.sessionId,
    response_id: String(response.id),
    status: String(response.status),
    pending_approvals: output
      .filter((item) => item.type === 'mcp_approval_request')
      .map((item) => ({
        call_id: String(item.id).replace(/^mcpr_/, ''),
        name: item.name ?? '',
        arguments: item.arguments ?? '',
      })),
  };
}
