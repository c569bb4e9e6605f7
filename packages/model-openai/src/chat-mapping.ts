import type { ModelRequest, ModelResponse, StopReason, ToolCall, ToolSpec, Usage } from '@baton/core';
import type {
  ChatCompletion,
  ChatCompletionCreateParamsBase,
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from 'openai/resources/chat/completions';
import type { CompletionUsage } from 'openai/resources/completions';
import { malformedResponse } from './errors.js';
import { jsonSchemaFormat } from './output-format.js';
import type { OpenAIModelSettings } from './settings.js';

/** Baton's messages as Chat Completions messages: the whole live context, every call. */
export function chatMessages(request: ModelRequest): ChatCompletionMessageParam[] {
  const messages: ChatCompletionMessageParam[] = [];
  if (request.instructions) messages.push({ role: 'system', content: request.instructions });
  for (const message of request.messages) {
    if (message.role === 'user') {
      messages.push({ role: 'user', content: message.content });
    } else if (message.role === 'assistant') {
      messages.push({
        role: 'assistant',
        // null rather than '' when the turn was only tool calls, as the API itself returns it.
        content: message.content === '' && message.toolCalls.length > 0 ? null : message.content,
        ...(message.toolCalls.length > 0
          ? {
              tool_calls: message.toolCalls.map((call) => ({
                id: call.callId,
                type: 'function' as const,
                function: { name: call.name, arguments: call.arguments },
              })),
            }
          : {}),
      });
    } else {
      // Chat Completions has no error flag on tool results; the content already says what failed.
      messages.push({ role: 'tool', tool_call_id: message.callId, content: message.content });
    }
  }
  return messages;
}

export function chatTools(tools: ToolSpec[]): ChatCompletionTool[] {
  return tools.map((tool) => ({
    type: 'function',
    function: { name: tool.name, description: tool.description, parameters: tool.parameters },
  }));
}

/** The request body shared by the JSON and the streaming call. */
export function chatBody(
  settings: OpenAIModelSettings,
  request: ModelRequest,
): Omit<ChatCompletionCreateParamsBase, 'stream'> {
  return {
    model: settings.model,
    messages: chatMessages(request),
    ...(request.tools.length > 0 ? { tools: chatTools(request.tools) } : {}),
    // Structured Outputs: the final answer is JSON of the schema (tool calls stay possible).
    ...(request.output
      ? { response_format: { type: 'json_schema' as const, json_schema: jsonSchemaFormat(request.output) } }
      : {}),
    ...(settings.maxOutputTokens !== undefined
      ? { [settings.maxTokensField]: settings.maxOutputTokens }
      : {}),
    ...(settings.temperature !== undefined ? { temperature: settings.temperature } : {}),
  };
}

export function chatStopReason(finishReason: string | null | undefined, hasToolCalls: boolean): StopReason {
  switch (finishReason) {
    case 'stop':
      // Some compatible servers (Ollama among them) answer 'stop' even when they call tools.
      return hasToolCalls ? 'tool_calls' : 'end';
    case 'tool_calls':
    case 'function_call':
      return 'tool_calls';
    case 'length':
      return 'max_tokens';
    case 'content_filter':
      return 'content_filter';
    default:
      return 'other';
  }
}

export function chatUsage(usage: CompletionUsage | null | undefined): Usage {
  const cached = usage?.prompt_tokens_details?.cached_tokens;
  return {
    inputTokens: usage?.prompt_tokens ?? 0,
    outputTokens: usage?.completion_tokens ?? 0,
    ...(cached ? { cachedInputTokens: cached } : {}),
  };
}

export function fromChatCompletion(completion: ChatCompletion, settings: OpenAIModelSettings): ModelResponse {
  // The SDK hands back text for a non-JSON content type, and compatible servers vary: check the shape.
  if (typeof completion !== 'object' || completion === null || !Array.isArray(completion.choices)) {
    throw malformedResponse(settings.provider, 'no choices in the chat completion');
  }
  const choice = completion.choices[0];
  if (!choice?.message) throw malformedResponse(settings.provider, 'the chat completion has no message');
  const toolCalls: ToolCall[] = [];
  for (const call of choice.message.tool_calls ?? []) {
    // Arguments stay the raw string the model produced; the loop parses and validates them.
    if (call.type === 'function') {
      toolCalls.push({ callId: call.id, name: call.function.name, arguments: call.function.arguments });
    }
  }
  return {
    text: choice.message.content ?? choice.message.refusal ?? '',
    toolCalls,
    usage: chatUsage(completion.usage),
    stopReason: chatStopReason(choice.finish_reason, toolCalls.length > 0),
    model: completion.model || settings.model,
  };
}
