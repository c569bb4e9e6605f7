import type { ToolCall } from '../events.js';
import type { JsonObject } from '../json.js';
import type { Model, ModelRequest, ModelResponse, ModelStreamEvent, ToolSpec } from '../model.js';
import type { ModelProvider } from './model-provider.js';
import { sampleInstance } from './sample-instance.js';

const MODEL_ID = 'offline-demo-1';

/**
 * A deterministic stand-in for a real model, served when no provider is configured so any agent can
 * be tried offline. It reads the first word of the last message as a tool: the tool's name, or the
 * name without its verb (`note` for `add_note`, `notes` for `list_notes`). The rest of the message
 * becomes the arguments: a JSON object as written, or words spread over the tool's string
 * parameters (the first takes one word, the others the rest). After tool results it reports them;
 * anything else gets a plain reply listing the commands. Asked for an output schema, it answers with
 * a value that matches it (sample-instance.ts; strings hold the message or the tool results). It is
 * a demo and test fixture, not an LLM.
 * Its `stream()` sends the same answer in several deltas, a few words each, `deltaMs` apart
 * (default 25; `BATON_OFFLINE_DELTA_MS` for the provider), so a client following a session sees it
 * written.
 *
 * @example
 * // with an agent whose tools are add_note and get_weather:
 * //   "note buy milk"       -> add_note {"text":"buy milk"}
 * //   "weather Paris"       -> get_weather {"city":"Paris"}
 * //   'weather {"city":"Oslo"}' -> get_weather {"city":"Oslo"}
 */
export function offlineModel(options: { deltaMs?: number } = {}): Model {
  const deltaMs = options.deltaMs ?? DEFAULT_DELTA_MS;
  const model: Model = {
    provider: 'offline-demo',
    modelId: MODEL_ID,
    async *stream(request: ModelRequest): AsyncIterable<ModelStreamEvent> {
      const response = await model.generate(request);
      for (const piece of textPieces(response.text)) {
        await pause(deltaMs, request.signal);
        yield { type: 'text_delta', text: piece };
      }
      for (const call of response.toolCalls) {
        // The arguments in two halves, as a provider sends a call's JSON in fragments.
        const half = Math.ceil(call.arguments.length / 2);
        yield {
          type: 'tool_call_delta',
          callId: call.callId,
          name: call.name,
          argumentsDelta: call.arguments.slice(0, half),
        };
        await pause(deltaMs, request.signal);
        yield { type: 'tool_call_delta', callId: call.callId, argumentsDelta: call.arguments.slice(half) };
      }
      yield { type: 'response', response };
    },
    async generate(request: ModelRequest): Promise<ModelResponse> {
      const last = request.messages.at(-1);
      const usage = { inputTokens: estimateTokens(request), outputTokens: 12 };
      if (last?.role === 'tool') {
        const text = trailingToolResults(request)
          .map((result) => `${result.name}: ${result.content}`)
          .join('\n');
        const answer = request.output ? structured(request.output.schema, text) : `Done.\n${text}`;
        return { text: answer, toolCalls: [], usage, stopReason: 'end', model: MODEL_ID };
      }
      const text = last?.role === 'user' ? last.content.trim() : '';
      // Deterministic ids: a step repeated after a crash asks for the same call again.
      const call = commandToCall(text, request.tools, `call_${request.messages.length}`);
      if (call) return { text: '', toolCalls: [call], usage, stopReason: 'tool_calls', model: MODEL_ID };
      return {
        text: request.output ? structured(request.output.schema, text) : plainReply(text, request.tools),
        toolCalls: [],
        usage,
        stopReason: 'end',
        model: MODEL_ID,
      };
    },
  };
  return model;
}

const DEFAULT_DELTA_MS = 25;

/** The text in pieces of three words (with the spaces after them): several deltas for any reply. */
function textPieces(text: string): string[] {
  const words = text.match(/\S+\s*|\s+/g) ?? [];
  const pieces: string[] = [];
  for (let i = 0; i < words.length; i += 3) pieces.push(words.slice(i, i + 3).join(''));
  return pieces;
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', stop);
      resolve();
    }, ms);
    const stop = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', stop, { once: true });
  });
}

/** The `offline` provider: `model: 'offline'` in an agent, or what a host serves with nothing configured. */
export const offlineModelProvider: ModelProvider = {
  specificationVersion: 'v1',
  id: 'offline',
  create: (_modelId, env) => {
    const deltaMs = Number(env.BATON_OFFLINE_DELTA_MS ?? DEFAULT_DELTA_MS);
    return offlineModel({ deltaMs: Number.isFinite(deltaMs) && deltaMs >= 0 ? deltaMs : DEFAULT_DELTA_MS });
  },
  description: () =>
    'offline demo model (no model provider configured): it calls a tool when a message starts with its name, e.g. "note buy milk"; it is not an LLM',
};

/** The words a tool answers to: its name, and its name without the verb before the first '_'. */
function aliases(tool: ToolSpec): string[] {
  const name = tool.name.toLowerCase();
  const underscore = name.indexOf('_');
  return underscore > 0 ? [name, name.slice(underscore + 1)] : [name];
}

function commandToCall(text: string, tools: readonly ToolSpec[], callId: string): ToolCall | null {
  const [command = '', ...words] = text.split(/\s+/);
  const tool = tools.find((candidate) => aliases(candidate).includes(command.toLowerCase()));
  if (!tool) return null;
  const rest = words.join(' ');
  const args = argumentsFor(tool, rest);
  return args ? { callId, name: tool.name, arguments: JSON.stringify(args) } : null;
}

function argumentsFor(tool: ToolSpec, rest: string): JsonObject | null {
  if (rest.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(rest);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as JsonObject;
    } catch {
      // Not JSON: spread the words instead.
    }
  }
  const properties = (tool.parameters.properties ?? {}) as Record<string, { type?: unknown }>;
  const names = Object.keys(properties).filter((name) => {
    const type = properties[name]?.type;
    return type === undefined || type === 'string';
  });
  if (names.length === 0) return {};
  if (rest === '') return null;
  if (names.length === 1) return { [names[0]!]: rest };
  const [first = '', ...others] = rest.split(/\s+/);
  const remainder = others.join(' ') || first;
  return Object.fromEntries(names.map((name, index) => [name, index === 0 ? first : remainder]));
}

function plainReply(text: string, tools: readonly ToolSpec[]): string {
  const commands = tools.map((tool) => `"${aliases(tool).at(-1)} ..."`).join(', ');
  return `(offline demo model) You said: ${text}.${commands ? ` Try ${commands}.` : ''}`;
}

function trailingToolResults(request: ModelRequest): { name: string; content: string }[] {
  const results: { name: string; content: string }[] = [];
  for (let i = request.messages.length - 1; i >= 0; i--) {
    const message = request.messages[i]!;
    if (message.role !== 'tool') break;
    results.unshift({ name: message.name, content: message.content });
  }
  return results;
}

function estimateTokens(request: ModelRequest): number {
  const chars =
    request.instructions.length + request.messages.reduce((sum, message) => sum + message.content.length, 0);
  return Math.ceil(chars / 4);
}

/** A structured answer: a sample of the schema, its strings the user's words or the tool results. */
function structured(schema: JsonObject, text: string): string {
  return JSON.stringify(sampleInstance(schema, text));
}
