import {
  BedrockAgentRuntimeClient,
  type BedrockAgentRuntimeClientConfig,
  type InlineAgentReturnControlPayload,
  InvokeInlineAgentCommand,
  type Trace,
} from '@aws-sdk/client-bedrock-agent-runtime';
import {
  type Model,
  ModelError,
  type ModelRequest,
  type ModelResponse,
  type ModelStreamEvent,
  type ToolCall,
  type Usage,
} from '@baton/core';
import { FUNCTION_CLIENT_DEFAULTS } from './client-defaults.js';
import { abortedError, toModelError, untilAborted } from './errors.js';
import { argumentsFromParameters } from './inline-agent-arguments.js';
import {
  type InlineAgentSettings,
  inlineAgentInput,
  providerStateOf,
  sessionIdFor,
} from './inline-agent-request.js';

export interface BedrockInlineAgentModelOptions {
  /** The orchestrating model or inference profile, e.g. 'us.anthropic.claude-3-5-haiku-20241022-v1:0'. */
  foundationModel: string;
  /** A ready client; `clientConfig` is then ignored. */
  client?: BedrockAgentRuntimeClient;
  /** Config for a new client; unless it says otherwise, at most 2 attempts and 60 s per attempt. */
  clientConfig?: BedrockAgentRuntimeClientConfig;
  /** Name of the action group holding Baton's tools; default 'baton_tools'. */
  actionGroupName?: string;
  /**
   * How long Bedrock keeps the session, and with it a paused invocation, between calls; default 3600
   * (the maximum). An approval that takes longer cannot resume the paused invocation.
   */
  idleSessionTTLInSeconds?: number;
  /** Traces carry the token usage; default true. */
  enableTrace?: boolean;
  /** Stream the final answer in pieces (needs bedrock:InvokeModelWithResponseStream); default false. */
  streamFinalResponse?: boolean;
}

/**
 * A model backed by Amazon Bedrock Agents' InvokeInlineAgent, with Baton's tools declared as a
 * RETURN_CONTROL action group: the agent plans, Bedrock hands each tool call back, Baton runs it
 * with all its guarantees and resumes the invocation with the results (`invocationId`, kept in the
 * response's `providerState`). Parameter values come back as strings and are converted to JSON
 * arguments through each tool's JSON Schema.
 *
 * This is a compatibility path, not Baton's foundation: Bedrock Agents (classic) is closed to new
 * customers since 2026-07-30. Prefer `bedrockConverseModel` for new work. See `actionGroupFor` for
 * the limits of Bedrock's function schemas.
 *
 * @example
 * const model = bedrockInlineAgentModel({
 *   foundationModel: 'us.anthropic.claude-3-5-haiku-20241022-v1:0',
 *   clientConfig: { region: 'us-east-1' },
 * });
 */
export function bedrockInlineAgentModel(options: BedrockInlineAgentModelOptions): Model {
  const provider = 'bedrock-agent';
  const client =
    options.client ?? new BedrockAgentRuntimeClient({ ...FUNCTION_CLIENT_DEFAULTS, ...options.clientConfig });
  const settings: InlineAgentSettings = {
    foundationModel: options.foundationModel,
    actionGroupName: options.actionGroupName ?? 'baton_tools',
    idleSessionTTLInSeconds: options.idleSessionTTLInSeconds ?? 3600,
    enableTrace: options.enableTrace ?? true,
    streamFinalResponse: options.streamFinalResponse ?? false,
  };

  async function* run(request: ModelRequest): AsyncGenerator<ModelStreamEvent> {
    const input = inlineAgentInput(settings, request);
    const output = await untilAborted(
      client.send(new InvokeInlineAgentCommand(input), { abortSignal: request.signal }),
      request.signal,
      provider,
    ).catch((error: unknown) => {
      throw toModelError(error, provider);
    });

    let text = '';
    const usage: Usage = { inputTokens: 0, outputTokens: 0 };
    let returnControl: InlineAgentReturnControlPayload | undefined;
    // A multi-byte character can be split across chunks.
    const decoder = new TextDecoder();
    try {
      for await (const event of output.completion ?? []) {
        if (event.chunk?.bytes) {
          const piece = decoder.decode(event.chunk.bytes, { stream: true });
          text += piece;
          if (piece) yield { type: 'text_delta', text: piece };
        } else if (event.trace?.trace) {
          addUsage(usage, event.trace.trace);
        } else if (event.returnControl) {
          returnControl = event.returnControl;
        }
      }
    } catch (error) {
      throw toModelError(error, provider);
    }
    const rest = decoder.decode();
    text += rest;
    if (rest) yield { type: 'text_delta', text: rest };
    if (request.signal?.aborted) throw abortedError(provider);
    if (!text && !returnControl) {
      throw new ModelError(`${provider}: the agent's stream ended without an answer`, {
        retryable: true,
        provider,
      });
    }

    const invocationId = returnControl?.invocationId;
    const toolCalls = toolCallsOf(returnControl, request);
    for (const call of toolCalls) {
      yield { type: 'tool_call_delta', callId: call.callId, name: call.name, argumentsDelta: call.arguments };
    }
    const response: ModelResponse = {
      text,
      toolCalls,
      usage,
      stopReason: toolCalls.length > 0 ? 'tool_calls' : 'end',
      model: options.foundationModel,
      providerState: providerStateOf({
        sessionId: output.sessionId ?? input.sessionId ?? sessionIdFor(request.sessionKey),
        ...(invocationId && toolCalls.length > 0 ? { invocationId } : {}),
      }),
    };
    yield { type: 'response', response };
  }

  return {
    provider,
    modelId: options.foundationModel,
    async generate(request) {
      let response: ModelResponse | undefined;
      for await (const event of run(request)) if (event.type === 'response') response = event.response;
      // run() always ends with a response or throws.
      return response!;
    },
    stream: run,
  };
}

function toolCallsOf(
  returnControl: InlineAgentReturnControlPayload | undefined,
  request: ModelRequest,
): ToolCall[] {
  if (!returnControl) return [];
  const tools = new Map(request.tools.map((tool) => [tool.name, tool]));
  return (returnControl.invocationInputs ?? []).map((input, index) => {
    // Bedrock gives no per-call id; the invocation id and the position make one that is stable.
    const callId = `${returnControl.invocationId ?? 'invocation'}_${index}`;
    const fn = input.functionInvocationInput;
    if (!fn) {
      // Only function schemas are declared, so an API-schema invocation is unexpected: surface it
      // as a call to an unknown tool, which the loop answers with an error.
      return { callId, name: input.apiInvocationInput?.apiPath ?? 'unknown', arguments: '{}' };
    }
    const name = fn.function ?? '';
    return { callId, name, arguments: argumentsFromParameters(fn.parameters ?? [], tools.get(name)) };
  });
}

type UsageHolder = {
  modelInvocationOutput?: { metadata?: { usage?: { inputTokens?: number; outputTokens?: number } } };
};

/** Adds the token usage a trace reports for one model invocation (pre-processing, orchestration...). */
function addUsage(usage: Usage, trace: Trace): void {
  const parts = [
    trace.preProcessingTrace,
    trace.orchestrationTrace,
    trace.postProcessingTrace,
    trace.routingClassifierTrace,
  ];
  for (const part of parts) {
    const reported = (part as UsageHolder | undefined)?.modelInvocationOutput?.metadata?.usage;
    usage.inputTokens += reported?.inputTokens ?? 0;
    usage.outputTokens += reported?.outputTokens ?? 0;
  }
}
