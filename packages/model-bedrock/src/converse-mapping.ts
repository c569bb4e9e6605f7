import type {
  ContentBlock,
  ConverseCommandInput,
  ConverseCommandOutput,
  InferenceConfiguration,
  Message,
  Tool,
  ToolConfiguration,
  ToolUseBlock,
} from '@aws-sdk/client-bedrock-runtime';
import type { ModelMessage, ModelRequest, ModelResponse, StopReason, ToolCall, Usage } from '@baton/core';
import { type AnswerTool, answerToolOf, withoutAnswerTool } from './converse-answer-tool.js';

/** A Converse JSON document (the SDK's type, without depending on @smithy/types directly). */
type DocumentType = NonNullable<ToolUseBlock['input']>;

// Converse rejects blank text blocks and error results without content.
const EMPTY_TEXT = '(empty)';
const NO_OUTPUT = '(no output)';

/** Tool input as a Converse document. Arguments that are not a JSON object are kept, not dropped. */
function toolInput(raw: string): DocumentType {
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      return parsed as DocumentType;
  } catch {
    // fall through: the model produced invalid JSON earlier and saw an error for it
  }
  return { unparsedArguments: raw };
}

function blocksOf(message: ModelMessage): { role: 'user' | 'assistant'; content: ContentBlock[] } {
  if (message.role === 'user') return { role: 'user', content: [{ text: message.content || EMPTY_TEXT }] };
  if (message.role === 'tool') {
    return {
      role: 'user',
      content: [
        {
          toolResult: {
            toolUseId: message.callId,
            content: [{ text: message.content || NO_OUTPUT }],
            status: message.isError ? 'error' : 'success',
          },
        },
      ],
    };
  }
  const content: ContentBlock[] = message.content ? [{ text: message.content }] : [];
  for (const call of message.toolCalls) {
    content.push({ toolUse: { toolUseId: call.callId, name: call.name, input: toolInput(call.arguments) } });
  }
  return { role: 'assistant', content: content.length > 0 ? content : [{ text: EMPTY_TEXT }] };
}

/**
 * Baton's messages as Converse messages. Converse wants strictly alternating roles, so consecutive
 * messages of one role (parallel tool results, a result followed by a new user turn) become one.
 */
export function converseMessages(messages: ModelMessage[]): Message[] {
  const merged: Message[] = [];
  for (const message of messages) {
    const next = blocksOf(message);
    const last = merged.at(-1);
    if (last?.role === next.role) last.content = [...(last.content ?? []), ...next.content];
    else merged.push(next);
  }
  return merged;
}

/**
 * The tool configuration. Converse rejects a request whose history has toolUse or toolResult blocks
 * without one, so tools the history used but the agent no longer offers are declared too, marked
 * unavailable (the loop answers a call to them with an unknown-tool error).
 */
export function converseToolConfig(
  request: ModelRequest,
  structured: StructuredOutputMode = 'tool',
): ToolConfiguration | undefined {
  const tools: Tool[] = request.tools.map((tool) => ({
    toolSpec: {
      name: tool.name,
      description: tool.description,
      inputSchema: { json: tool.parameters as DocumentType },
    },
  }));
  const offered = new Set(request.tools.map((tool) => tool.name));
  for (const message of request.messages) {
    const names =
      message.role === 'assistant'
        ? message.toolCalls.map((call) => call.name)
        : message.role === 'tool'
          ? [message.name]
          : [];
    for (const name of names) {
      if (offered.has(name)) continue;
      offered.add(name);
      tools.push({
        toolSpec: {
          name,
          description: 'No longer available in this conversation. Do not call it.',
          inputSchema: { json: { type: 'object', properties: {} } },
        },
      });
    }
  }
  // An output schema: the answer tool, and a tool call (real or the answer) is required.
  const answer = structured === 'tool' ? answerToolOf(request) : null;
  if (answer) return { tools: [...tools, answer.tool], toolChoice: { any: {} } };
  return tools.length > 0 ? { tools } : undefined;
}

/**
 * How an output schema is asked for: 'tool' forces a final_answer tool (every model with tool use);
 * 'native' sends Converse's `outputConfig.textFormat` JSON Schema (the models Bedrock lists for it).
 */
export type StructuredOutputMode = 'tool' | 'native';

export function converseInput(
  modelId: string,
  request: ModelRequest,
  inferenceConfig: InferenceConfiguration | undefined,
  structured: StructuredOutputMode = 'tool',
): ConverseCommandInput {
  const toolConfig = converseToolConfig(request, structured);
  const native = structured === 'native' && request.output;
  return {
    modelId,
    messages: converseMessages(request.messages),
    ...(request.instructions ? { system: [{ text: request.instructions }] } : {}),
    ...(toolConfig ? { toolConfig } : {}),
    ...(inferenceConfig ? { inferenceConfig } : {}),
    ...(native
      ? {
          outputConfig: {
            textFormat: {
              type: 'json_schema' as const,
              // The schema goes as a JSON string, not a document.
              structure: { jsonSchema: { name: native.name, schema: JSON.stringify(native.schema) } },
            },
          },
        }
      : {}),
  };
}

export function converseStopReason(stopReason: string | undefined): StopReason {
  switch (stopReason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'end';
    case 'tool_use':
      return 'tool_calls';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'max_tokens';
    case 'content_filtered':
    case 'guardrail_intervened':
      return 'content_filter';
    default:
      return 'other';
  }
}

export function converseUsage(
  usage: { inputTokens?: number; outputTokens?: number; cacheReadInputTokens?: number } | undefined,
): Usage {
  return {
    inputTokens: usage?.inputTokens ?? 0,
    outputTokens: usage?.outputTokens ?? 0,
    ...(usage?.cacheReadInputTokens ? { cachedInputTokens: usage.cacheReadInputTokens } : {}),
  };
}

/** Tool input as the `arguments` string: a string input is what the model produced and stays as is. */
export function argumentsOf(input: unknown): string {
  return typeof input === 'string' ? input : JSON.stringify(input ?? {});
}

export function fromConverse(
  output: ConverseCommandOutput,
  modelId: string,
  answer: AnswerTool | null = null,
): ModelResponse {
  let text = '';
  const toolCalls: ToolCall[] = [];
  for (const block of output.output?.message?.content ?? []) {
    if (block.text !== undefined) text += block.text;
    else if (block.toolUse) {
      toolCalls.push({
        callId: block.toolUse.toolUseId ?? '',
        name: block.toolUse.name ?? '',
        arguments: argumentsOf(block.toolUse.input),
      });
    }
  }
  const mapped = withoutAnswerTool(text, toolCalls, answer);
  return {
    text: mapped.text,
    toolCalls: mapped.toolCalls,
    usage: converseUsage(output.usage),
    stopReason: mapped.answered ? 'end' : converseStopReason(output.stopReason),
    model: modelId,
  };
}
