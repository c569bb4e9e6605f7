import {
  type AgentInputItem,
  type Model,
  type ModelRequest,
  type ModelResponse,
  Usage,
} from '@openai/agents';
import { callId, callsTool, REPLY_TEXT, TOOL_ARGUMENTS, TOOL_NAME } from '../conversation.js';

function isUserMessage(item: AgentInputItem | undefined): boolean {
  return !!item && 'role' in item && item.role === 'user';
}

/** A Model (the SDK's provider contract) that answers with the benchmark's script at once. */
export class ScriptedAgentsModel implements Model {
  turn = 0;
  userMessagesSeen = 0;
  first = true;

  async getResponse(request: ModelRequest): Promise<ModelResponse> {
    const items = typeof request.input === 'string' ? [] : request.input;
    if (this.first) {
      this.first = false;
      this.userMessagesSeen =
        typeof request.input === 'string' ? 1 : items.filter((item) => isUserMessage(item)).length;
    }
    const usage = new Usage({ requests: 1, inputTokens: 400, outputTokens: 80, totalTokens: 480 });
    const lastIsUser = typeof request.input === 'string' || isUserMessage(items.at(-1));
    if (lastIsUser && callsTool(this.turn)) {
      return {
        usage,
        output: [
          {
            type: 'function_call',
            callId: callId(this.turn),
            name: TOOL_NAME,
            arguments: TOOL_ARGUMENTS,
            status: 'completed',
          },
        ],
      };
    }
    return {
      usage,
      output: [
        {
          type: 'message',
          role: 'assistant',
          status: 'completed',
          content: [{ type: 'output_text', text: REPLY_TEXT }],
        },
      ],
    };
  }

  // biome-ignore lint/correctness/useYield: the benchmark never streams.
  async *getStreamedResponse(): AsyncIterable<never> {
    throw new Error('the benchmark does not stream');
  }
}
