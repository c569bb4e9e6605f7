import { type Model, modelSetting } from '@baton/core';
import { bedrockConverseModel } from './converse-model.js';
import { bedrockInlineAgentModel } from './inline-agent-model.js';

/** The providers this package serves, as `BATON_MODEL_PROVIDER` names them. */
export const BEDROCK_PROVIDERS = ['bedrock', 'bedrock-agent'] as const;

/**
 * The Bedrock model the environment configures, or null when it configures none. Credentials and
 * region come from the AWS SDK's usual chain (the Lambda role, AWS_REGION).
 *
 *   BATON_MODEL_PROVIDER   bedrock (Converse) | bedrock-agent (InvokeInlineAgent, compatibility path)
 *   BATON_MODEL            model id or inference profile, e.g. us.amazon.nova-pro-v1:0
 *
 * @example
 * const choice = bedrockModelFromEnvironment(process.env);
 */
export function bedrockModelFromEnvironment(
  env: NodeJS.ProcessEnv,
): { model: Model; description: string } | null {
  const { provider, model: modelId } = modelSetting(env);
  switch (provider) {
    case 'bedrock':
      if (!modelId)
        throw new Error('BATON_MODEL must name the Bedrock model id for BATON_MODEL_PROVIDER=bedrock');
      return {
        model: bedrockConverseModel({ modelId }),
        description: `${modelId} on Amazon Bedrock (Converse)`,
      };
    case 'bedrock-agent':
      if (!modelId)
        throw new Error('BATON_MODEL must name the foundation model for BATON_MODEL_PROVIDER=bedrock-agent');
      return {
        model: bedrockInlineAgentModel({ foundationModel: modelId }),
        description: `${modelId} through Bedrock Agents (InvokeInlineAgent, return of control)`,
      };
    default:
      return null;
  }
}
