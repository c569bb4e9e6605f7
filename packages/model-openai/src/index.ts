/**
 * OpenAI-family models for Baton, all on the `openai` SDK: OpenAI (Responses or Chat Completions),
 * Azure OpenAI (classic deployment paths or the v1 API), any OpenAI-compatible server, and OpenAI
 * models on Amazon Bedrock. Baton sends the whole live context on every call and stores nothing on
 * the provider's side (`store: false`, no `previous_response_id`), so sessions move between them.
 *
 * `modelProviders` serves the model names `openai:`, `azure-openai:`, `openai-compatible:` and
 * `bedrock-openai:` from environment settings (see the README); the factories build a model in code.
 */
export {
  type AzureOpenAIModelOptions,
  azureOpenAIModel,
} from './azure-openai-model.js';
export {
  type BedrockOpenAIEndpoint,
  type BedrockOpenAIModelOptions,
  bedrockOpenAIBaseURL,
  bedrockOpenAIModel,
} from './bedrock-openai-model.js';
export { DEFAULT_OPENAI_MODEL, modelProviders } from './model-providers.js';
export {
  type OpenAICompatibleModelOptions,
  type OpenAIModelOptions,
  openAICompatibleModel,
  openAIModel,
} from './openai-model.js';
export type { OpenAIApi, OpenAICallOptions } from './settings.js';
