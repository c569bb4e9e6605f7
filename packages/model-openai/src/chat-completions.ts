import {
  ModelError,
  type ModelRequest,
  type ModelResponse,
  type ModelStreamEvent,
  type ToolCall,
} from '@baton/core';
import type { CompletionUsage } from 'openai/resources/completions';
import { chatBody, chatStopReason, chatUsage, fromChatCompletion } from './chat-mapping.js';
import { abortedError, toModelError, untilAborted } from './errors.js';
import type { OpenAIModelSettings } from './settings.js';

export async function generateChat(
  settings: OpenAIModelSettings,
  request: ModelRequest,
): Promise<ModelResponse> {
  try {
    const client = await untilAborted(settings.client(), request.signal);
    const completion = await untilAborted(
      client.chat.completions.create(
        { ...chatBody(settings, request), stream: false },
        { signal: request.signal },
      ),
      request.signal,
    );
    return fromChatCompletion(completion, settings);
  } catch (error) {
    throw toModelError(error, settings.provider);
  }
}

/**
 * Streams a chat completion: text deltas and tool call deltas as they arrive, then the complete
 * response, which is built from the same deltas and so equals what `generate` would have returned.
 */
export async function* streamChat(
  settings: OpenAIModelSettings,
  request: ModelRequest,
): AsyncGenerator<ModelStreamEvent> {
  const { provider } = settings;
  const stream = await untilAborted(
    settings
      .client()
      .then((client) =>
        client.chat.completions.create(
          { ...chatBody(settings, request), stream: true, stream_options: { include_usage: true } },
          { signal: request.signal },
        ),
      ),
    request.signal,
  ).catch((error: unknown) => {
    throw toModelError(error, provider);
  });

  const calls = new Map<number, ToolCall>();
  let text = '';
  let finishReason: string | null = null;
  let usage: CompletionUsage | null | undefined;
  let model = settings.model;
  try {
    for await (const chunk of stream) {
      if (chunk.model) model = chunk.model;
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices?.[0];
      if (!choice) continue;
      if (choice.delta?.content) {
        text += choice.delta.content;
        yield { type: 'text_delta', text: choice.delta.content };
      }
      for (const part of choice.delta?.tool_calls ?? []) {
        let call = calls.get(part.index);
        const isNew = call === undefined;
        if (!call) {
          // Some compatible servers omit ids when streaming; the index is the only stable key.
          call = { callId: part.id ?? `call_${part.index}`, name: part.function?.name ?? '', arguments: '' };
          calls.set(part.index, call);
        }
        const argumentsDelta = part.function?.arguments ?? '';
        call.arguments += argumentsDelta;
        yield {
          type: 'tool_call_delta',
          callId: call.callId,
          ...(isNew && call.name ? { name: call.name } : {}),
          argumentsDelta,
        };
      }
      if (choice.finish_reason) finishReason = choice.finish_reason;
    }
  } catch (error) {
    throw toModelError(error, provider);
  }
  if (request.signal?.aborted) throw abortedError(provider);
  if (finishReason === null) {
    // The SDK ends quietly when the connection closes early; a cut stream is not an answer.
    throw new ModelError(`${provider}: stream ended before the model finished`, {
      retryable: true,
      provider,
    });
  }
  const toolCalls = [...calls.entries()].sort(([a], [b]) => a - b).map(([, call]) => call);
  yield {
    type: 'response',
    response: {
      text,
      toolCalls,
      usage: chatUsage(usage),
      stopReason: chatStopReason(finishReason, toolCalls.length > 0),
      model,
    },
  };
}
