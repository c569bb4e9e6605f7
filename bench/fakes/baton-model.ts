import type { Model, ModelResponse } from '@baton/core';
import { callId, callsTool, REPLY_TEXT, TOOL_ARGUMENTS, TOOL_NAME } from '../conversation.js';

/**
 * The benchmark script as a plain core Model, for bundles: @baton/testing's ScriptedModel would
 * bring vitest into a handler bundle.
 */
export function bundledBatonModel(turnOf: () => number): Model {
  const usage = { inputTokens: 400, outputTokens: 80 };
  return {
    provider: 'scripted',
    modelId: 'bench-script',
    async generate(request): Promise<ModelResponse> {
      const turn = turnOf();
      if (request.messages.at(-1)?.role === 'user' && callsTool(turn)) {
        return {
          text: '',
          toolCalls: [{ callId: callId(turn), name: TOOL_NAME, arguments: TOOL_ARGUMENTS }],
          usage,
          stopReason: 'tool_calls',
          model: 'bench-script',
        };
      }
      return { text: REPLY_TEXT, toolCalls: [], usage, stopReason: 'end', model: 'bench-script' };
    },
  };
}
