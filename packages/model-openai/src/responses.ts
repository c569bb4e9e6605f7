import { ModelError, type ModelRequest, type ModelResponse, type ModelStreamEvent } from '@baton/core';
import type { Response } from 'openai/resources/responses/responses';
import { abortedError, toModelError, untilAborted } from './errors.js';
import { fromResponse, responsesBody } from './responses-mapping.js';
import type { OpenAIModelSettings } from './settings.js';

export async function generateResponses(
  settings: OpenAIModelSettings,
  request: ModelRequest,
): Promise<ModelResponse> {
  let response: Response;
  try {
    const client = await untilAborted(settings.client(), request.signal);
    response = await untilAborted(
      client.responses.create(
        { ...responsesBody(settings, request), stream: false },
        { signal: request.signal },
      ),
      request.signal,
    );
  } catch (error) {
    throw toModelError(error, settings.provider);
  }
  return fromResponse(response, settings);
}

/**
 * Streams a Responses call: text and function-call argument deltas, then the complete response
 * from the terminal event (`response.completed` / `.incomplete` / `.failed`), mapped like `generate`.
 */
export async function* streamResponses(
  settings: OpenAIModelSettings,
  request: ModelRequest,
): AsyncGenerator<ModelStreamEvent> {
  const { provider } = settings;
  const stream = await untilAborted(
    settings
      .client()
      .then((client) =>
        client.responses.create(
          { ...responsesBody(settings, request), stream: true },
          { signal: request.signal },
        ),
      ),
    request.signal,
  ).catch((error: unknown) => {
    throw toModelError(error, provider);
  });

  // Argument deltas name their output item, not the call; remember which call each item is.
  const callIdByItem = new Map<string, string>();
  let final: Response | undefined;
  try {
    for await (const event of stream) {
      if (event.type === 'response.output_text.delta') {
        yield { type: 'text_delta', text: event.delta };
      } else if (event.type === 'response.output_item.added' && event.item.type === 'function_call') {
        callIdByItem.set(event.item.id ?? event.item.call_id, event.item.call_id);
        yield {
          type: 'tool_call_delta',
          callId: event.item.call_id,
          name: event.item.name,
          argumentsDelta: '',
        };
      } else if (event.type === 'response.function_call_arguments.delta') {
        const callId = callIdByItem.get(event.item_id) ?? event.item_id;
        yield { type: 'tool_call_delta', callId, argumentsDelta: event.delta };
      } else if (
        event.type === 'response.completed' ||
        event.type === 'response.incomplete' ||
        event.type === 'response.failed'
      ) {
        final = event.response;
      } else if (event.type === 'error') {
        const retryable =
          event.code === null || event.code === 'server_error' || event.code === 'rate_limit_exceeded';
        throw new ModelError(`${provider}: stream error (${event.code ?? 'unknown'}): ${event.message}`, {
          retryable,
          provider,
        });
      }
    }
  } catch (error) {
    throw toModelError(error, provider);
  }
  if (request.signal?.aborted) throw abortedError(provider);
  if (!final) {
    // The SDK ends quietly when the connection closes early; a cut stream is not an answer.
    throw new ModelError(`${provider}: stream ended before the response finished`, {
      retryable: true,
      provider,
    });
  }
  yield { type: 'response', response: fromResponse(final, settings) };
}
