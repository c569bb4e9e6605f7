import type { Baton } from '../baton.js';
import { isBatonError } from '../errors.js';
import type { Json, JsonObject } from '../json.js';
import { type OutputSpec, requestedOutput } from '../structured-output.js';
import { openAiError } from './openai-errors.js';

/** An `mcp_approval_response` input item: a decision on a call a response asked to approve. */
export interface ApprovalAnswer {
  approvalRequestId: string;
  approve: boolean;
  reason?: string;
}

/** A `POST /v1/responses` body, checked. */
export interface ResponseRequest {
  /** The agent. */
  model: string;
  /** The user's text: a string input, or the text of its user messages, joined. Empty with approvals only. */
  text: string;
  approvals: ApprovalAnswer[];
  conversation?: string;
  previousResponseId?: string;
  stream: boolean;
  metadata?: JsonObject;
  /** `text.format` of type json_schema: the run's output schema (structured results). */
  output?: OutputSpec;
}

/**
 * Checks a `POST /v1/responses` body against the Responses API's shapes and what a Baton agent
 * can take: `model` names a registered agent (404 `model_not_found` otherwise); `input` is a
 * string or a list of message items (role `user`; `system`/`developer`/`assistant` items are
 * ignored: the agent's instructions and the session's history rule) with `input_text` parts, and
 * `mcp_approval_response` items; `conversation` (a string or `{ id }`) and `previous_response_id`
 * are exclusive. Anything else (images, files, client-side function outputs) is a 400 naming the
 * field.
 *
 * @example
 *   parseResponseRequest(baton, { model: 'assistant', input: 'hello' }); // { model, text: 'hello', ... }
 */
export function parseResponseRequest(baton: Baton, body: JsonObject): ResponseRequest {
  const model = agentOf(baton, body.model);
  if (body.conversation !== undefined && body.conversation !== null && body.previous_response_id) {
    throw invalid('send either conversation or previous_response_id, not both', 'conversation');
  }
  const conversation = conversationOf(body.conversation);
  const previous = body.previous_response_id;
  if (previous !== undefined && previous !== null && typeof previous !== 'string') {
    throw invalid('previous_response_id must be a string', 'previous_response_id');
  }
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean') {
    throw invalid('stream must be true or false', 'stream');
  }
  if (body.background === true) {
    throw invalid(
      'background is not supported; a run that outlives the request is in_progress: poll GET /v1/responses/{id}',
      'background',
    );
  }
  const metadata = body.metadata;
  if (
    metadata !== undefined &&
    metadata !== null &&
    (typeof metadata !== 'object' || Array.isArray(metadata))
  ) {
    throw invalid('metadata must be an object of strings', 'metadata');
  }
  const { text, approvals } = inputOf(body.input);
  if (text === '' && approvals.length === 0) throw invalid('input has no user text and no approval', 'input');
  if (text !== '' && approvals.length > 0) {
    throw invalid('send mcp_approval_response items and a new message in separate requests', 'input');
  }
  if (approvals.length > 0 && typeof previous !== 'string') {
    throw invalid(
      'mcp_approval_response items need the previous_response_id of the response that asked',
      'previous_response_id',
    );
  }
  const output = outputOf(body.text);
  return {
    model,
    text,
    approvals,
    ...(output ? { output } : {}),
    ...(conversation !== undefined ? { conversation } : {}),
    ...(typeof previous === 'string' ? { previousResponseId: previous } : {}),
    stream: body.stream === true,
    ...(metadata ? { metadata: metadata as JsonObject } : {}),
  };
}

/** The agent a `model` field names: a 404 `model_not_found` (the SDK's NotFoundError) when there is none. */
export function agentOf(baton: Baton, model: Json | undefined): string {
  if (typeof model !== 'string' || model === '') throw invalid('model must name an agent', 'model');
  if (!baton.agents.has(model)) {
    const known = [...baton.agents.keys()].join(', ');
    throw openAiError(
      404,
      `The model '${model}' does not exist: name one of the agents (${known}); GET /v1/models lists them`,
      'model_not_found',
      'model',
    );
  }
  return model;
}

/**
 * The run's output schema a structured-output request asks for: the Responses API's `text.format`
 * (`{ type: 'json_schema', name, schema }`) or Chat Completions' `response_format`
 * (`{ type: 'json_schema', json_schema: { name, schema } }`); `json_object` is any object; `text`
 * or nothing is none. The answer's text is then the JSON (the SDK's `output_parsed` reads it).
 *
 * @example
 *   outputFormat({ type: 'json_schema', name: 'city', schema: { type: 'object' } }, 'text.format');
 */
export function outputFormat(format: Json | undefined, param: string): OutputSpec | undefined {
  if (format === undefined || format === null) return undefined;
  if (typeof format !== 'object' || Array.isArray(format)) throw invalid(`${param} must be an object`, param);
  if (format.type === 'text') return undefined;
  if (format.type === 'json_object') return requestedOutput({ name: 'output', schema: { type: 'object' } });
  if (format.type !== 'json_schema')
    throw invalid(`${param}.type must be text, json_object or json_schema`, `${param}.type`);
  const spec = (param === 'response_format' ? format.json_schema : format) as JsonObject | undefined;
  try {
    return requestedOutput({
      schema: spec?.schema,
      ...(typeof spec?.name === 'string' ? { name: spec.name } : {}),
    });
  } catch (error) {
    throw invalid(
      isBatonError(error) ? `${param}: ${error.message}` : `${param} is not a JSON Schema`,
      `${param}.schema`,
    );
  }
}

function outputOf(text: Json | undefined): OutputSpec | undefined {
  if (text === undefined || text === null) return undefined;
  if (typeof text !== 'object' || Array.isArray(text)) throw invalid('text must be an object', 'text');
  return outputFormat(text.format, 'text.format');
}

function conversationOf(value: Json | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'object' && !Array.isArray(value) && typeof value.id === 'string' && value.id !== '') {
    return value.id;
  }
  throw invalid('conversation must be a conversation id or { "id": "..." }', 'conversation');
}

function inputOf(input: Json | undefined): { text: string; approvals: ApprovalAnswer[] } {
  if (typeof input === 'string') return { text: input, approvals: [] };
  if (!Array.isArray(input)) throw invalid('input must be a string or a list of input items', 'input');
  const texts: string[] = [];
  const approvals: ApprovalAnswer[] = [];
  input.forEach((item, index) => {
    const param = `input[${index}]`;
    if (item === null || typeof item !== 'object' || Array.isArray(item))
      throw invalid(`${param} must be an object`, param);
    const type = item.type ?? 'message';
    if (type === 'mcp_approval_response') {
      approvals.push(approvalOf(item, param));
      return;
    }
    if (type !== 'message') {
      throw invalid(
        `${param}: input items of type '${String(type)}' are not supported; send user messages or mcp_approval_response items (Baton runs the agent's tools itself)`,
        param,
      );
    }
    if (item.role === 'user') texts.push(contentText(item.content, `${param}.content`));
    else if (!['system', 'developer', 'assistant'].includes(String(item.role))) {
      throw invalid(`${param}.role must be user, assistant, system or developer`, `${param}.role`);
    }
  });
  return { text: texts.join('\n\n'), approvals };
}

function approvalOf(item: JsonObject, param: string): ApprovalAnswer {
  if (typeof item.approval_request_id !== 'string' || item.approval_request_id === '') {
    throw invalid(
      `${param}.approval_request_id must name an mcp_approval_request`,
      `${param}.approval_request_id`,
    );
  }
  if (typeof item.approve !== 'boolean')
    throw invalid(`${param}.approve must be true or false`, `${param}.approve`);
  if (item.reason !== undefined && item.reason !== null && typeof item.reason !== 'string') {
    throw invalid(`${param}.reason must be a string`, `${param}.reason`);
  }
  return {
    approvalRequestId: item.approval_request_id,
    approve: item.approve,
    ...(typeof item.reason === 'string' ? { reason: item.reason } : {}),
  };
}

/** The text of a message's content: a string, or its `input_text` / `output_text` / `text` parts. */
export function contentText(content: Json | undefined, param: string): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) throw invalid(`${param} must be a string or a list of text parts`, param);
  return content
    .map((part, index) => {
      if (
        part !== null &&
        typeof part === 'object' &&
        !Array.isArray(part) &&
        typeof part.text === 'string'
      ) {
        if (['input_text', 'output_text', 'text'].includes(String(part.type))) return part.text;
      }
      const type =
        part !== null && typeof part === 'object' && !Array.isArray(part) ? String(part.type) : typeof part;
      throw invalid(
        `${param}[${index}]: content parts of type '${type}' are not supported; send text`,
        `${param}[${index}]`,
      );
    })
    .join('');
}

function invalid(message: string, param: string) {
  return openAiError(400, message, 'invalid_request_error', param);
}
