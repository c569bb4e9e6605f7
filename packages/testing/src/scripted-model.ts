import {
  BatonError,
  type JsonObject,
  type Model,
  type ModelRequest,
  type ModelResponse,
  type StopReason,
  type ToolCall,
  type Usage,
} from '@baton/core';

/** A scripted answer; `model` defaults to the ScriptedModel's `modelId`. */
export type ScriptedResponse = Omit<ModelResponse, 'model'> & { model?: string };

/**
 * One entry of a script: a response, an error to throw (a provider failure, a throttle), or a
 * function of the request for answers that depend on what the loop sent.
 */
export type ScriptedStep =
  | ScriptedResponse
  | Error
  | ((request: ModelRequest) => ScriptedResponse | Promise<ScriptedResponse>);

/** A whole script as one function; `index` counts calls from 0. */
export type ScriptFunction = (
  request: ModelRequest,
  index: number,
) => ScriptedResponse | Promise<ScriptedResponse>;

export interface ScriptedModelOptions {
  /** Reported as `modelId` and as the response's `model`; default 'scripted-1'. */
  modelId?: string;
}

/** The script ran out: the loop called the model more often than the test expected. */
export class ScriptExhaustedError extends BatonError {
  constructor(call: number, length: number) {
    super(
      'script_exhausted',
      `ScriptedModel was called ${call} times but its script has ${length} response(s); add responses or check why the loop called again`,
      // Not retryable: a queue adapter must not redeliver forever because a test script ran out.
      { retryable: false, details: { call, length } },
    );
  }
}

/**
 * An offline model that answers from a script and records every request, for tests and the
 * offline demo. It never parses tool arguments, like a real adapter.
 *
 * @example
 * const model = new ScriptedModel([
 *   callTools([{ name: 'weather', args: { city: 'Oslo' } }]),
 *   reply('It is sunny in Oslo.'),
 * ]);
 * // ...run the agent, then:
 * // expect(model.calls[1]?.messages.at(-1)).toMatchObject({ role: 'tool' });
 */
export class ScriptedModel implements Model {
  readonly provider = 'scripted';
  readonly modelId: string;
  /** Every request in call order, copied when it arrived (later mutation by the caller does not show). */
  readonly calls: ModelRequest[] = [];
  private readonly script: readonly ScriptedStep[] | ScriptFunction;

  constructor(script: readonly ScriptedStep[] | ScriptFunction, options: ScriptedModelOptions = {}) {
    this.script = typeof script === 'function' ? script : [...script];
    this.modelId = options.modelId ?? 'scripted-1';
  }

  /** Responses not used yet (Infinity for a function script): 0 at the end of a test that used them all. */
  get remaining(): number {
    if (typeof this.script === 'function') return Number.POSITIVE_INFINITY;
    return Math.max(0, this.script.length - this.calls.length);
  }

  async generate(request: ModelRequest): Promise<ModelResponse> {
    // A real SDK refuses an aborted request before sending it; so do we, without using up a step.
    request.signal?.throwIfAborted();
    const index = this.calls.length;
    this.calls.push(snapshot(request));
    const response = await this.answer(request, index);
    // A copy, so a caller that mutates the response cannot change what a later test run sees.
    return structuredClone({ ...response, model: response.model ?? this.modelId });
  }

  private async answer(request: ModelRequest, index: number): Promise<ScriptedResponse> {
    if (typeof this.script === 'function') return this.script(request, index);
    const step = this.script[index];
    if (step === undefined) throw new ScriptExhaustedError(index + 1, this.script.length);
    if (step instanceof Error) throw step;
    return typeof step === 'function' ? step(request) : step;
  }
}

export interface ResponseOptions {
  usage?: Partial<Usage>;
  stopReason?: StopReason;
  model?: string;
  providerState?: JsonObject;
}

/**
 * A final text answer (stop reason 'end').
 *
 * @example
 * const model = new ScriptedModel([reply('Hello!')]);
 */
export function reply(text: string, options: ResponseOptions = {}): ScriptedResponse {
  return response(text, [], 'end', estimateTokens(text), options);
}

export interface ToolCallSpec {
  name: string;
  /** An object is sent as its JSON; a string is sent as-is (to script malformed arguments). */
  args: JsonObject | string;
  /** Default: a fresh `call_<n>`, unique in this process like a provider's ids. */
  callId?: string;
}

/**
 * An answer that calls tools (stop reason 'tool_calls').
 *
 * @example
 * const model = new ScriptedModel([
 *   callTools([{ name: 'lookup', args: { id: 7 } }, { name: 'lookup', args: '{"id":' }]),
 *   reply('Done.'),
 * ]);
 */
export function callTools(
  calls: readonly ToolCallSpec[],
  options: ResponseOptions & { text?: string } = {},
): ScriptedResponse {
  const toolCalls: ToolCall[] = calls.map((call) => ({
    callId: call.callId ?? nextCallId(),
    name: call.name,
    arguments: typeof call.args === 'string' ? call.args : JSON.stringify(call.args),
  }));
  const text = options.text ?? '';
  // Providers bill a tool call's name, arguments and framing as output tokens.
  const outputTokens =
    estimateTokens(text) +
    toolCalls.reduce((sum, call) => sum + estimateTokens(call.name + call.arguments) + 8, 0);
  return response(text, toolCalls, 'tool_calls', outputTokens, options);
}

let callCounter = 0;

function nextCallId(): string {
  callCounter += 1;
  return `call_${callCounter}`;
}

function response(
  text: string,
  toolCalls: ToolCall[],
  stopReason: StopReason,
  outputTokens: number,
  options: ResponseOptions,
): ScriptedResponse {
  return {
    text,
    toolCalls,
    // Plausible figures (a system prompt plus a short history in, ~4 characters per token out) so
    // budgets and usage totals move the way they do with a real provider.
    usage: { inputTokens: 120, outputTokens, ...options.usage },
    stopReason: options.stopReason ?? stopReason,
    ...(options.model === undefined ? {} : { model: options.model }),
    ...(options.providerState === undefined ? {} : { providerState: options.providerState }),
  };
}

function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

function snapshot(request: ModelRequest): ModelRequest {
  // structuredClone cannot copy an AbortSignal, so the signal is carried over by reference.
  return {
    ...request,
    messages: structuredClone(request.messages),
    tools: structuredClone(request.tools),
  };
}
