/**
 * Amazon Bedrock models for Baton.
 *
 * - `bedrockConverseModel`: the Converse API (and ConverseStream), for any Converse model. This is
 *   the Bedrock adapter to build on.
 * - `bedrockInlineAgentModel`: Bedrock Agents' InvokeInlineAgent with a RETURN_CONTROL action
 *   group, so tools still run in Baton. A compatibility path only: Bedrock Agents (classic) is
 *   closed to new customers since 2026-07-30.
 *
 * OpenAI models served by Bedrock (gpt-oss) are reached through `bedrockOpenAIModel` in
 * `@baton/model-openai` (Bedrock's OpenAI-compatible endpoint), or through Converse here.
 *
 * `modelProviders` serves the model names `bedrock:` and `bedrock-agent:` from environment settings
 * (see the README).
 */
export { type BedrockConverseModelOptions, bedrockConverseModel } from './converse-model.js';
export { type BedrockInlineAgentModelOptions, bedrockInlineAgentModel } from './inline-agent-model.js';
export { actionGroupFor } from './inline-agent-tools.js';
export { modelProviders } from './model-providers.js';
