import type { Tool, ToolUseBlock } from '@aws-sdk/client-bedrock-runtime';
import type { ModelRequest, ToolCall } from '@baton/core';

/**
 * Structured results on Converse by tool forcing: the request's output schema becomes one more
 * tool, the answer tool, and `toolChoice: { any: {} }` makes the model call a tool, a real one or
 * this one. Its input is the answer: the adapter returns it as the response's JSON text, never as
 * a tool call, so the loop validates it like any final answer and runs nothing.
 */
export interface AnswerTool {
  name: string;
  tool: Tool;
}

const BASE_NAME = 'final_answer';

/** The answer tool of a request with an output schema (a name no real tool of it uses), else null. */
export function answerToolOf(request: ModelRequest): AnswerTool | null {
  if (!request.output) return null;
  const taken = new Set(request.tools.map((tool) => tool.name));
  let name = BASE_NAME;
  for (let n = 2; taken.has(name); n++) name = `${BASE_NAME}_${n}`;
  return {
    name,
    tool: {
      toolSpec: {
        name,
        description: `Give your final answer (${request.output.name}) by calling this tool with it as the input. Call it once you need no other tool.`,
        inputSchema: { json: request.output.schema as NonNullable<ToolUseBlock['input']> },
      },
    },
  };
}

/**
 * A response's text and tool calls with the answer tool taken out: its input becomes the text when
 * it is the only call; beside real calls it is dropped (the model answers again after their results).
 */
export function withoutAnswerTool(
  text: string,
  calls: ToolCall[],
  answer: AnswerTool | null,
): { text: string; toolCalls: ToolCall[]; answered: boolean } {
  if (!answer) return { text, toolCalls: calls, answered: false };
  const real = calls.filter((call) => call.name !== answer.name);
  const given = calls.find((call) => call.name === answer.name);
  if (!given || real.length > 0) return { text, toolCalls: real, answered: false };
  return { text: given.arguments || '{}', toolCalls: [], answered: true };
}
