import type { ClientSource } from './lazy-client.js';

export type OpenAIApi = 'responses' | 'chat';

/** Options every OpenAI-family factory takes. */
export interface OpenAICallOptions {
  /**
   * Retries the SDK makes inside one call (429, 5xx, timeouts); default 1. Retrying further is the
   * queue's job, which knows the invocation's remaining time (the SDK's default is 2).
   */
  maxRetries?: number;
  /** Timeout of one HTTP attempt in milliseconds; default 60 000 (the SDK's default is 10 minutes). */
  timeoutMs?: number;
  maxOutputTokens?: number;
  temperature?: number;
  /** Extra headers sent with every request. */
  headers?: Record<string, string>;
}

export const DEFAULT_MAX_RETRIES = 1;
export const DEFAULT_TIMEOUT_MS = 60_000;

/** What the request builders and response mappers need to know about one configured model. */
export interface OpenAIModelSettings {
  /** The client, made (and the SDK loaded) on the first call. */
  client: ClientSource;
  /** Reported as `Model.provider`: 'openai', 'azure-openai', 'openai-compatible', 'bedrock-openai'. */
  provider: string;
  /** The `model` field sent (the deployment name on Azure). */
  model: string;
  api: OpenAIApi;
  maxOutputTokens?: number;
  temperature?: number;
  /**
   * Chat Completions name of the output cap: OpenAI deprecated `max_tokens` for
   * `max_completion_tokens`, which many compatible servers do not know yet.
   */
  maxTokensField: 'max_completion_tokens' | 'max_tokens';
}

/** SDK client options from the shared call options, tightened for a function's time budget. */
export function clientTuning(options: OpenAICallOptions): {
  maxRetries: number;
  timeout: number;
  defaultHeaders?: Record<string, string>;
} {
  return {
    maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES,
    timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    ...(options.headers ? { defaultHeaders: options.headers } : {}),
  };
}
