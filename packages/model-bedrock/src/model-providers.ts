import type { BedrockAgentRuntimeClientConfig } from '@aws-sdk/client-bedrock-agent-runtime';
import type { BedrockRuntimeClientConfig } from '@aws-sdk/client-bedrock-runtime';
import { defineModelProvider, type ModelProvider } from '@baton/core';
import { bedrockConverseModel } from './converse-model.js';
import { type AwsClientSettings, awsClientSettings, requiredModel, setting } from './environment-settings.js';
import { bedrockInlineAgentModel } from './inline-agent-model.js';

function clientConfig({ region, endpoint, credentials }: AwsClientSettings) {
  return { region, ...(endpoint ? { endpoint } : {}), ...(credentials ? { credentials } : {}) };
}

function where({ region, endpoint }: AwsClientSettings): string {
  return endpoint ? `in ${region} at ${endpoint}` : `in ${region}`;
}

/**
 * `bedrock`: any Converse model or inference profile through the Converse API (ConverseStream when
 * streaming), signed with AWS credentials or, when AWS_BEARER_TOKEN_BEDROCK is set, a Bedrock API key.
 */
export const bedrockConverseProvider = defineModelProvider('bedrock', {
  settings: (modelId, env) => ({
    modelId: requiredModel(
      modelId,
      'bedrock',
      'a Bedrock model id or inference profile, e.g. us.amazon.nova-pro-v1:0',
    ),
    aws: awsClientSettings('bedrock', env, 'AWS_ENDPOINT_URL_BEDROCK_RUNTIME'),
    apiKey: setting(env, 'AWS_BEARER_TOKEN_BEDROCK'),
  }),
  build: ({ modelId, aws, apiKey }) => {
    // Stated either way: the SDK on its own would also pick up a bearer token from process.env.
    const config: BedrockRuntimeClientConfig = apiKey
      ? { ...clientConfig(aws), token: { token: apiKey }, authSchemePreference: ['httpBearerAuth'] }
      : { ...clientConfig(aws), authSchemePreference: ['sigv4'] };
    return bedrockConverseModel({ modelId, clientConfig: config });
  },
  describe: ({ modelId, aws, apiKey }) =>
    `${modelId} on Amazon Bedrock ${where(aws)} (Converse API, ${apiKey ? 'Bedrock API key' : 'AWS credentials'})`,
});

/**
 * `bedrock-agent`: Bedrock Agents' InvokeInlineAgent with Baton's tools handed back by return of
 * control; a compatibility path (Bedrock Agents is closed to new customers). Agents take AWS
 * credentials only, not Bedrock API keys.
 */
export const bedrockAgentProvider = defineModelProvider('bedrock-agent', {
  settings: (modelId, env) => ({
    foundationModel: requiredModel(
      modelId,
      'bedrock-agent',
      "the agent's foundation model, e.g. us.anthropic.claude-3-5-haiku-20241022-v1:0",
    ),
    aws: awsClientSettings('bedrock-agent', env, 'AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME'),
  }),
  build: ({ foundationModel, aws }) => {
    const config: BedrockAgentRuntimeClientConfig = clientConfig(aws);
    return bedrockInlineAgentModel({ foundationModel, clientConfig: config });
  },
  describe: ({ foundationModel, aws }) =>
    `${foundationModel} through Bedrock Agents ${where(aws)} (InvokeInlineAgent, return of control)`,
});

/**
 * The providers of this package, for `createBatonApp(definition, { providers })`; hosts find them
 * under this name through core's PROVIDER_PACKAGES.
 *
 * @example
 * const registry = new ModelRegistry(modelProviders, process.env);
 * const { model } = registry.resolve('bedrock:us.amazon.nova-pro-v1:0');
 */
export const modelProviders: ModelProvider[] = [bedrockConverseProvider, bedrockAgentProvider];
