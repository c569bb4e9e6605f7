import {
  BedrockRuntimeClient,
  type BedrockRuntimeClientConfig,
  ConverseCommand,
  ConverseStreamCommand,
  type InferenceConfiguration,
} from '@aws-sdk/client-bedrock-runtime';
import type { Model, ModelRequest, ModelResponse, ModelStreamEvent } from '@baton/core';
import { FUNCTION_CLIENT_DEFAULTS } from './client-defaults.js';
import { answerToolOf } from './converse-answer-tool.js';
import { converseInput, fromConverse, type StructuredOutputMode } from './converse-mapping.js';
import { streamConverse } from './converse-stream.js';
import { toModelError, untilAborted } from './errors.js';

export interface BedrockConverseModelOptions {
  /** A model id or inference profile, e.g. 'anthropic.claude-sonnet-4-20250514-v1:0' or 'us.amazon.nova-pro-v1:0'. */
  modelId: string;
  /** A ready client; `clientConfig` is then ignored. */
  client?: BedrockRuntimeClient;
  /**
   * Config for a new client (region, credentials, endpoint...). Unless it says otherwise, the client
   * makes at most 2 attempts and gives up on an attempt after 60 s, which suits a function.
   */
  clientConfig?: BedrockRuntimeClientConfig;
  /** maxTokens, temperature, topP, stopSequences. */
  inferenceConfig?: InferenceConfiguration;
  /**
   * How a run's output schema is asked for: 'tool' (default) forces a final_answer tool, which
   * works on every model with tool use; 'native' uses Converse's `outputConfig.textFormat`, on the
   * models Bedrock supports it for.
   */
  structuredOutput?: StructuredOutputMode;
}

/**
 * A model on Amazon Bedrock through the Converse API, for any model that supports it, with tool
 * use and, through ConverseStream, streaming.
 *
 * @example
 * const model = bedrockConverseModel({
 *   modelId: 'us.anthropic.claude-sonnet-4-20250514-v1:0',
 *   clientConfig: { region: 'us-east-1' },
 *   inferenceConfig: { maxTokens: 1024 },
 * });
 */
export function bedrockConverseModel(options: BedrockConverseModelOptions): Model {
  const provider = 'bedrock';
  const client =
    options.client ?? new BedrockRuntimeClient({ ...FUNCTION_CLIENT_DEFAULTS, ...options.clientConfig });
  const structured = options.structuredOutput ?? 'tool';
  const answer = (request: ModelRequest) => (structured === 'tool' ? answerToolOf(request) : null);
  return {
    provider,
    modelId: options.modelId,
    async generate(request: ModelRequest): Promise<ModelResponse> {
      const input = converseInput(options.modelId, request, options.inferenceConfig, structured);
      try {
        const output = await untilAborted(
          client.send(new ConverseCommand(input), { abortSignal: request.signal }),
          request.signal,
          provider,
        );
        return fromConverse(output, options.modelId, answer(request));
      } catch (error) {
        throw toModelError(error, provider);
      }
    },
    async *stream(request: ModelRequest): AsyncGenerator<ModelStreamEvent> {
      const input = converseInput(options.modelId, request, options.inferenceConfig, structured);
      const output = await untilAborted(
        client.send(new ConverseStreamCommand(input), { abortSignal: request.signal }),
        request.signal,
        provider,
      ).catch((error: unknown) => {
        throw toModelError(error, provider);
      });
      yield* streamConverse(output.stream, options.modelId, provider, request.signal, answer(request));
    },
  };
}
