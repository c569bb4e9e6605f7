import {
  ModelError,
  type ModelRequest,
  type ModelResponse,
  type StopReason,
  type ToolCall,
  type Usage,
} from '@baton/core';
import type {
  FunctionTool,
  Response,
  ResponseCreateParamsBase,
  ResponseInputItem,
  ResponseUsage,
} from 'openai/resources/responses/responses';
import { malformedResponse } from './errors.js';
import { jsonSchemaFormat } from './output-format.js';
import type { OpenAIModelSettings } from './settings.js';

/**
 * Baton's messages as Responses input items. Baton keeps the conversation, so every call sends the
 * whole live context and nothing depends on `previous_response_id` or stored responses.
 */
export function responsesInput(request: ModelRequest): ResponseInputItem[] {
  const input: ResponseInputItem[] = [];
  for (const message of request.messages) {
    if (message.role === 'user') {
      input.push({ type: 'message', role: 'user', content: message.content });
    } else if (message.role === 'assistant') {
      if (message.content) input.push({ type: 'message', role: 'assistant', content: message.content });
      for (const call of message.toolCalls) {
        input.push({
          type: 'function_call',
          call_id: call.callId,
          name: call.name,
          arguments: call.arguments,
        });
      }
    } else {
      input.push({ type: 'function_call_output', call_id: message.callId, output: message.content });
    }
  }
  return input;
}

export function responsesTools(request: ModelRequest): FunctionTool[] {
  // strict: false because Baton's schemas come from zod and need not meet strict mode's rules.
  return request.tools.map((tool) => ({
    type: 'function',
    name: tool.name,
    description: tool.description,
    parameters: tool.parameters,
    strict: false,
  }));
}

export function responsesBody(
  settings: OpenAIModelSettings,
  request: ModelRequest,
): Omit<ResponseCreateParamsBase, 'stream'> {
  return {
    model: settings.model,
    ...(request.instructions ? { instructions: request.instructions } : {}),
    input: responsesInput(request),
    ...(request.tools.length > 0 ? { tools: responsesTools(request) } : {}),
    // Structured Outputs: the final answer's text is JSON of the schema.
    ...(request.output
      ? { text: { format: { type: 'json_schema' as const, ...jsonSchemaFormat(request.output) } } }
      : {}),
    // Nothing is kept on the provider's side: the session log is the only copy.
    store: false,
    ...(settings.maxOutputTokens !== undefined ? { max_output_tokens: settings.maxOutputTokens } : {}),
    ...(settings.temperature !== undefined ? { temperature: settings.temperature } : {}),
  };
}

export function responsesUsage(usage: ResponseUsage | null | undefined): Usage {
  const cached = usage?.input_tokens_details?.cached_tokens;
  return {
    inputTokens: usage?.input_tokens ?? 0,
    outputTokens: usage?.output_tokens ?? 0,
    ...(cached ? { cachedInputTokens: cached } : {}),
  };
}

export function responsesStopReason(response: Response, hasToolCalls: boolean): StopReason {
  if (response.status === 'completed') return hasToolCalls ? 'tool_calls' : 'end';
  if (response.status === 'incomplete') {
    const reason = response.incomplete_details?.reason;
    if (reason === 'max_output_tokens') return 'max_tokens';
    if (reason === 'content_filter') return 'content_filter';
  }
  return 'other';
}

/** Error codes of a failed response that a later attempt can get past. */
const RETRYABLE_FAILURES = new Set(['server_error', 'rate_limit_exceeded', 'vector_store_timeout']);

export function fromResponse(response: Response, settings: OpenAIModelSettings): ModelResponse {
  if (typeof response !== 'object' || response === null || !Array.isArray(response.output)) {
    throw malformedResponse(settings.provider, 'no output in the response');
  }
  if (response.status === 'failed') {
    const code = response.error?.code ?? 'unknown';
    throw new ModelError(
      `${settings.provider}: response failed (${code}): ${response.error?.message ?? ''}`,
      {
        retryable: RETRYABLE_FAILURES.has(code),
        provider: settings.provider,
      },
    );
  }
  let text = '';
  const toolCalls: ToolCall[] = [];
  for (const item of response.output) {
    if (item.type === 'message') {
      for (const part of item.content) text += part.type === 'output_text' ? part.text : part.refusal;
    } else if (item.type === 'function_call') {
      // Arguments stay the raw string the model produced; the loop parses and validates them.
      toolCalls.push({ callId: item.call_id, name: item.name, arguments: item.arguments });
    }
  }
  return {
    text,
    toolCalls,
    usage: responsesUsage(response.usage),
    stopReason: responsesStopReason(response, toolCalls.length > 0),
    model: response.model || settings.model,
  };
}
