import type { StopReason, ToolCall, Usage } from './events.js';
import type { JsonObject } from './json.js';

export type ModelMessage =
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string; toolCalls: ToolCall[]; providerState?: JsonObject }
  | { role: 'tool'; callId: string; name: string; content: string; isError: boolean };

export interface ToolSpec {
  name: string;
  description: string;
  /** JSON Schema of the arguments object. */
  parameters: JsonObject;
}

export interface ModelRequest {
  /** The agent's instructions (system prompt), plus the summary of compacted history if any. */
  instructions: string;
  messages: ModelMessage[];
  tools: ToolSpec[];
  /** Aborts at the invocation deadline. */
  signal?: AbortSignal;
  /** Stable per session, for providers that key state by session (Bedrock Agents). */
  sessionKey: string;
  /**
   * The JSON Schema (root: an object) the final answer must match: adapters ask for it in the
   * provider's native mode (OpenAI `json_schema`, Bedrock Converse a forced answer tool) and return
   * the JSON as `text`; the loop validates it. Absent: a free-form answer.
   */
  output?: { name: string; schema: JsonObject };
}

export interface ModelResponse {
  text: string;
  toolCalls: ToolCall[];
  usage: Usage;
  stopReason: StopReason;
  /** The model that answered, as the provider reports it. */
  model: string;
  providerState?: JsonObject;
}

export type ModelStreamEvent =
  | { type: 'text_delta'; text: string }
  | { type: 'tool_call_delta'; callId: string; name?: string; argumentsDelta: string }
  | { type: 'response'; response: ModelResponse };

/**
 * The model contract: messages and tool specs in, one assistant message out. Adapters translate
 * provider errors to ModelError with the right `retryable` flag, and never parse tool arguments:
 * the loop validates them so a malformed call becomes a recorded error fed back to the model.
 */
export interface Model {
  readonly provider: string;
  readonly modelId: string;
  generate(request: ModelRequest): Promise<ModelResponse>;
  /** Optional streaming form; the last event is the complete response. */
  stream?(request: ModelRequest): AsyncIterable<ModelStreamEvent>;
}
