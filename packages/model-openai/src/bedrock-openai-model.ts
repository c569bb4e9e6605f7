import { type Model, ValidationError } from '@baton/core';
import { lazyClient } from './lazy-client.js';
import { modelFromSettings } from './model-from-settings.js';
import { clientTuning, type OpenAIApi, type OpenAICallOptions } from './settings.js';

/**
 * Bedrock's two OpenAI-compatible endpoints: 'runtime' (bedrock-runtime, where the gpt-oss model
 * ids look like `openai.gpt-oss-120b-1:0`) and 'mantle' (bedrock-mantle, AWS's recommended
 * endpoint for new work, ids like `openai.gpt-oss-120b`).
 */
export type BedrockOpenAIEndpoint = 'runtime' | 'mantle';

/**
 * The OpenAI-compatible base URL of Bedrock in a region.
 *
 * @example
 * bedrockOpenAIBaseURL('us-west-2'); // 'https://bedrock-runtime.us-west-2.amazonaws.com/openai/v1'
 */
export function bedrockOpenAIBaseURL(region: string, endpoint: BedrockOpenAIEndpoint = 'runtime'): string {
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) {
    throw new ValidationError(`${JSON.stringify(region)} is not an AWS region name`);
  }
  return endpoint === 'mantle'
    ? `https://bedrock-mantle.${region}.api.aws/v1`
    : `https://bedrock-runtime.${region}.amazonaws.com/openai/v1`;
}

export interface BedrockOpenAIModelOptions extends OpenAICallOptions {
  /** Bedrock model id, e.g. 'openai.gpt-oss-120b-1:0'. */
  model: string;
  /** Default: `AWS_REGION`, then `AWS_DEFAULT_REGION`. */
  region?: string;
  /**
   * A Bedrock API key; default `AWS_BEARER_TOKEN_BEDROCK`. A function is called before every request
   * (for short-term keys).
   */
  apiKey?: string | (() => Promise<string>);
  /** Default 'runtime'. */
  endpoint?: BedrockOpenAIEndpoint;
  /** Overrides region and endpoint (VPC endpoints, tests). */
  baseURL?: string;
  /** Default 'chat'; Responses is served by the 'mantle' endpoint for some models only. */
  api?: OpenAIApi;
}

/**
 * OpenAI models served by Amazon Bedrock (gpt-oss) through its OpenAI-compatible Chat Completions
 * endpoint, authenticated with a Bedrock API key.
 *
 * @example
 * const model = bedrockOpenAIModel({ model: 'openai.gpt-oss-120b-1:0', region: 'us-west-2' });
 */
export function bedrockOpenAIModel(options: BedrockOpenAIModelOptions): Model {
  const apiKey = options.apiKey ?? process.env.AWS_BEARER_TOKEN_BEDROCK;
  if (!apiKey) {
    throw new ValidationError(
      'bedrockOpenAIModel needs an apiKey or AWS_BEARER_TOKEN_BEDROCK (a Bedrock API key)',
    );
  }
  const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  let baseURL = options.baseURL;
  if (!baseURL) {
    if (!region) throw new ValidationError('bedrockOpenAIModel needs a region, AWS_REGION or a baseURL');
    baseURL = bedrockOpenAIBaseURL(region, options.endpoint);
  }
  return modelFromSettings({
    client: lazyClient((sdk) => new sdk.OpenAI({ apiKey, baseURL, ...clientTuning(options) })),
    provider: 'bedrock-openai',
    model: options.model,
    api: options.api ?? 'chat',
    maxOutputTokens: options.maxOutputTokens,
    temperature: options.temperature,
    maxTokensField: 'max_completion_tokens',
  });
}
