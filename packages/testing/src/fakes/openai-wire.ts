/**
 * Renders one scripted assistant turn in OpenAI's wire formats: Chat Completions JSON and SSE
 * chunks, Responses JSON and SSE events. The shapes follow the `openai` SDK's own type
 * definitions (`ChatCompletion`, `ChatCompletionChunk`, `Response`, `ResponseStreamEvent`).
 */

export interface OpenAIFakeToolCall {
  id: string;
  name: string;
  /** Sent exactly as given, so a test can script malformed JSON. */
  arguments: string;
}

export interface OpenAIFakeTurn {
  text?: string;
  toolCalls?: OpenAIFakeToolCall[];
  /** Chat Completions `finish_reason`; default 'tool_calls' with tool calls, else 'stop'. */
  finishReason?: string;
  /** Responses `status`; default 'completed'. */
  status?: string;
  /** Responses `incomplete_details.reason` when the status is 'incomplete'. */
  incompleteReason?: string;
  /** Responses `error` when the status is 'failed'. */
  error?: { code: string; message: string };
  usage?: { input: number; output: number; cached?: number };
  /** The model the answer names; default the request's `model`. */
  model?: string;
}

const CREATED = 1_700_000_000;

/** Splits text in two so streams carry more than one delta. */
function halves(text: string): string[] {
  if (text.length < 2) return [text];
  const middle = Math.ceil(text.length / 2);
  return [text.slice(0, middle), text.slice(middle)];
}

function chatUsage(turn: OpenAIFakeTurn) {
  const usage = turn.usage ?? { input: 0, output: 0 };
  return {
    prompt_tokens: usage.input,
    completion_tokens: usage.output,
    total_tokens: usage.input + usage.output,
    prompt_tokens_details: { cached_tokens: usage.cached ?? 0 },
  };
}

function finishReason(turn: OpenAIFakeTurn): string {
  return turn.finishReason ?? (turn.toolCalls?.length ? 'tool_calls' : 'stop');
}

export function chatCompletionJson(turn: OpenAIFakeTurn, model: string, id = 'chatcmpl-fake'): unknown {
  const toolCalls = turn.toolCalls ?? [];
  return {
    id,
    object: 'chat.completion',
    created: CREATED,
    model: turn.model ?? model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: turn.text ?? null,
          refusal: null,
          ...(toolCalls.length
            ? {
                tool_calls: toolCalls.map((call) => ({
                  id: call.id,
                  type: 'function',
                  function: { name: call.name, arguments: call.arguments },
                })),
              }
            : {}),
        },
        logprobs: null,
        finish_reason: finishReason(turn),
      },
    ],
    usage: chatUsage(turn),
  };
}

/** SSE `data:` frames for a streamed chat completion, ending with `[DONE]`. */
export function chatCompletionSse(
  turn: OpenAIFakeTurn,
  model: string,
  includeUsage: boolean,
  id = 'chatcmpl-fake',
): string[] {
  const base = { id, object: 'chat.completion.chunk', created: CREATED, model: turn.model ?? model };
  const chunk = (delta: unknown, finish: string | null = null) => ({
    ...base,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  });
  const chunks: unknown[] = [chunk({ role: 'assistant', content: '' })];
  for (const piece of halves(turn.text ?? '')) if (piece) chunks.push(chunk({ content: piece }));
  (turn.toolCalls ?? []).forEach((call, index) => {
    chunks.push(
      chunk({
        tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }],
      }),
    );
    for (const piece of halves(call.arguments)) {
      if (piece) chunks.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
    }
  });
  chunks.push(chunk({}, finishReason(turn)));
  if (includeUsage) chunks.push({ ...base, choices: [], usage: chatUsage(turn) });
  return [...chunks.map((value) => `data: ${JSON.stringify(value)}\n\n`), 'data: [DONE]\n\n'];
}

function responseOutput(turn: OpenAIFakeTurn): unknown[] {
  const output: unknown[] = [];
  if (turn.text !== undefined) {
    output.push({
      type: 'message',
      id: 'msg_fake',
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text: turn.text, annotations: [], logprobs: [] }],
    });
  }
  (turn.toolCalls ?? []).forEach((call, index) => {
    output.push({
      type: 'function_call',
      id: `fc_fake_${index}`,
      call_id: call.id,
      name: call.name,
      arguments: call.arguments,
      status: 'completed',
    });
  });
  return output;
}

export function responseJson(turn: OpenAIFakeTurn, model: string, id = 'resp_fake'): Record<string, unknown> {
  const usage = turn.usage ?? { input: 0, output: 0 };
  const status = turn.status ?? 'completed';
  return {
    id,
    object: 'response',
    created_at: CREATED,
    status,
    model: turn.model ?? model,
    output: status === 'failed' ? [] : responseOutput(turn),
    incomplete_details:
      status === 'incomplete' ? { reason: turn.incompleteReason ?? 'max_output_tokens' } : null,
    error: status === 'failed' ? (turn.error ?? { code: 'server_error', message: 'failed' }) : null,
    instructions: null,
    metadata: {},
    parallel_tool_calls: true,
    temperature: 1,
    tool_choice: 'auto',
    tools: [],
    top_p: 1,
    store: false,
    usage: {
      input_tokens: usage.input,
      input_tokens_details: { cached_tokens: usage.cached ?? 0 },
      output_tokens: usage.output,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: usage.input + usage.output,
    },
  };
}

/** SSE frames (`event:` + `data:`) of a streamed Responses answer, ending with its terminal event. */
export function responseSse(turn: OpenAIFakeTurn, model: string, id = 'resp_fake'): string[] {
  const final = responseJson(turn, model, id);
  const events: Array<Record<string, unknown>> = [
    { type: 'response.created', response: { ...final, status: 'in_progress', output: [], usage: null } },
  ];
  const output = final.output as Array<Record<string, unknown>>;
  output.forEach((item, outputIndex) => {
    if (item.type === 'message') {
      events.push({
        type: 'response.output_item.added',
        output_index: outputIndex,
        item: { ...item, status: 'in_progress', content: [] },
      });
      for (const delta of halves(turn.text ?? '')) {
        events.push({
          type: 'response.output_text.delta',
          item_id: item.id,
          output_index: outputIndex,
          content_index: 0,
          delta,
          logprobs: [],
        });
      }
      events.push({
        type: 'response.output_text.done',
        item_id: item.id,
        output_index: outputIndex,
        content_index: 0,
        text: turn.text ?? '',
        logprobs: [],
      });
    } else {
      events.push({
        type: 'response.output_item.added',
        output_index: outputIndex,
        item: { ...item, status: 'in_progress', arguments: '' },
      });
      for (const delta of halves(String(item.arguments))) {
        events.push({
          type: 'response.function_call_arguments.delta',
          item_id: item.id,
          output_index: outputIndex,
          delta,
        });
      }
      events.push({
        type: 'response.function_call_arguments.done',
        item_id: item.id,
        output_index: outputIndex,
        arguments: item.arguments,
      });
    }
    events.push({ type: 'response.output_item.done', output_index: outputIndex, item });
  });
  const terminal =
    final.status === 'failed'
      ? 'response.failed'
      : final.status === 'incomplete'
        ? 'response.incomplete'
        : 'response.completed';
  events.push({ type: terminal, response: final });
  return events.map(
    (event, sequence) =>
      `event: ${String(event.type)}\ndata: ${JSON.stringify({ ...event, sequence_number: sequence })}\n\n`,
  );
}
