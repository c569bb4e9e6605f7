import { MockLanguageModelV3 } from 'ai/test';
import { callId, callsTool, REPLY_TEXT, TOOL_ARGUMENTS, TOOL_NAME } from '../conversation.js';

type CallOptions = Parameters<MockLanguageModelV3['doGenerate']>[0];
type GenerateResult = Awaited<ReturnType<MockLanguageModelV3['doGenerate']>>;

const usage = {
  inputTokens: { total: 400, noCache: 400, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 80, text: 80, reasoning: undefined },
};

/** The AI SDK's own mock model, answering with the benchmark's script. */
export function scriptedModel(
  turnOf: () => number,
  seen: (userMessages: number) => void,
): MockLanguageModelV3 & { resetTurn(): void } {
  let first = true;
  const model = new MockLanguageModelV3({
    doGenerate: async (options: CallOptions): Promise<GenerateResult> => {
      const last = options.prompt.at(-1);
      if (first) {
        first = false;
        seen(options.prompt.filter((message) => message.role === 'user').length);
      }
      const turn = turnOf();
      if (last?.role === 'user' && callsTool(turn)) {
        return {
          content: [
            { type: 'tool-call', toolCallId: callId(turn), toolName: TOOL_NAME, input: TOOL_ARGUMENTS },
          ],
          finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
          usage,
          warnings: [],
        };
      }
      return {
        content: [{ type: 'text', text: REPLY_TEXT }],
        finishReason: { unified: 'stop', raw: 'stop' },
        usage,
        warnings: [],
      };
    },
  });
  return Object.assign(model, {
    resetTurn: () => {
      first = true;
      // The mock keeps every call's options; the benchmark has no use for them.
      model.doGenerateCalls.length = 0;
    },
  });
}
