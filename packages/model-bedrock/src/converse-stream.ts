import type { ConverseStreamOutput } from '@aws-sdk/client-bedrock-runtime';
import { ModelError, type ModelStreamEvent, type ToolCall } from '@baton/core';
import { type AnswerTool, withoutAnswerTool } from './converse-answer-tool.js';
import { converseStopReason, converseUsage } from './converse-mapping.js';
import { abortedError, toModelError } from './errors.js';

/**
 * Turns ConverseStream events into Baton stream events. Tool input arrives as fragments of a JSON
 * string; they are concatenated, never parsed, so the final arguments are what the model wrote.
 */
export async function* streamConverse(
  events: AsyncIterable<ConverseStreamOutput> | undefined,
  modelId: string,
  provider: string,
  signal: AbortSignal | undefined,
  answer: AnswerTool | null = null,
): AsyncGenerator<ModelStreamEvent> {
  let text = '';
  const calls = new Map<number, ToolCall>();
  let stopReason: string | undefined;
  let usage: Parameters<typeof converseUsage>[0];
  try {
    for await (const event of events ?? []) {
      if (event.contentBlockStart?.start?.toolUse) {
        const { toolUseId = '', name = '' } = event.contentBlockStart.start.toolUse;
        calls.set(event.contentBlockStart.contentBlockIndex ?? calls.size, {
          callId: toolUseId,
          name,
          arguments: '',
        });
        // The answer tool's input is the answer: it streams as text.
        if (name !== answer?.name)
          yield { type: 'tool_call_delta', callId: toolUseId, name, argumentsDelta: '' };
      } else if (event.contentBlockDelta?.delta) {
        const { delta, contentBlockIndex = 0 } = event.contentBlockDelta;
        if (delta.text !== undefined) {
          text += delta.text;
          yield { type: 'text_delta', text: delta.text };
        } else if (delta.toolUse?.input !== undefined) {
          const call = calls.get(contentBlockIndex);
          if (!call) continue;
          call.arguments += delta.toolUse.input;
          yield call.name === answer?.name
            ? { type: 'text_delta', text: delta.toolUse.input }
            : { type: 'tool_call_delta', callId: call.callId, argumentsDelta: delta.toolUse.input };
        }
      } else if (event.messageStop) {
        stopReason = event.messageStop.stopReason;
      } else if (event.metadata) {
        usage = event.metadata.usage;
      }
    }
  } catch (error) {
    throw toModelError(error, provider);
  }
  if (signal?.aborted) throw abortedError(provider);
  if (stopReason === undefined) {
    throw new ModelError(`${provider}: stream ended before the model finished`, {
      retryable: true,
      provider,
    });
  }
  const toolCalls = [...calls.entries()]
    .sort(([a], [b]) => a - b)
    // A tool without parameters may stream no input at all; Converse's JSON answer would say {}.
    .map(([, call]) => ({ ...call, arguments: call.arguments || '{}' }));
  const mapped = withoutAnswerTool(text, toolCalls, answer);
  yield {
    type: 'response',
    response: {
      text: mapped.text,
      toolCalls: mapped.toolCalls,
      usage: converseUsage(usage),
      stopReason: mapped.answered ? 'end' : converseStopReason(stopReason),
      model: modelId,
    },
  };
}
