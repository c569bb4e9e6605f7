import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bedrockConverseModel, bedrockInlineAgentModel } from '@baton/model-bedrock';
import { azureOpenAIModel, openAIModel } from '@baton/model-openai';
import {
  type BedrockAgentFake,
  type BedrockConverseFake,
  ManualClock,
  type OpenAIFake,
  startBedrockAgentFake,
  startBedrockConverseFake,
  startOpenAIFake,
} from '@baton/testing';
import { afterEach, beforeEach } from 'vitest';
import { AWS_CREDENTIALS } from './model-loop-world.js';

export const CONVERSE_MODEL = 'anthropic.claude-3-5-haiku-20241022-v1:0';
export const AGENT_FOUNDATION_MODEL = 'us.anthropic.claude-3-5-haiku-20241022-v1:0';
export const AZURE_DEPLOYMENT = 'gpt-4o-support';

export const A1_RESULT = '{"orderId":"A1","status":"shipped"}';
export const B2_RESULT = '{"orderId":"B2","status":"packing"}';

type Body = Record<string, unknown>;
export const body = (request: { body: unknown } | undefined) => request?.body as Body;

/** The provider fakes, a clock and a scratch directory, fresh for every test of the file. */
export interface ModelFakes {
  openai: OpenAIFake;
  azure: OpenAIFake;
  converse: BedrockConverseFake;
  agentFake: BedrockAgentFake;
  clock: ManualClock;
  dir: string;
  chatModel(maxRetries?: number): ReturnType<typeof openAIModel>;
  azureModel(): ReturnType<typeof azureOpenAIModel>;
  converseModel(): ReturnType<typeof bedrockConverseModel>;
  inlineAgentModel(): ReturnType<typeof bedrockInlineAgentModel>;
}

/**
 * Starts every provider's wire-protocol fake before each test and stops it after; the models are
 * the real SDK clients pointed at them.
 */
export function useModelFakes(): ModelFakes {
  const fakes = {
    chatModel(maxRetries?: number) {
      return openAIModel({
        model: 'gpt-test',
        api: 'chat',
        apiKey: 'test-key',
        baseURL: fakes.openai.baseURL,
        ...(maxRetries === undefined ? {} : { maxRetries }),
      });
    },
    azureModel() {
      return azureOpenAIModel({
        endpoint: fakes.azure.url,
        deployment: AZURE_DEPLOYMENT,
        apiVersion: '2024-10-21',
        apiKey: 'azure-test-key',
      });
    },
    converseModel() {
      return bedrockConverseModel({
        modelId: CONVERSE_MODEL,
        clientConfig: {
          endpoint: fakes.converse.url,
          region: 'us-east-1',
          credentials: AWS_CREDENTIALS,
          maxAttempts: 1,
        },
      });
    },
    inlineAgentModel() {
      return bedrockInlineAgentModel({
        foundationModel: AGENT_FOUNDATION_MODEL,
        clientConfig: {
          endpoint: fakes.agentFake.url,
          region: 'us-east-1',
          credentials: AWS_CREDENTIALS,
          maxAttempts: 1,
        },
      });
    },
  } as ModelFakes;

  beforeEach(async () => {
    [fakes.openai, fakes.azure, fakes.converse, fakes.agentFake] = await Promise.all([
      startOpenAIFake(),
      startOpenAIFake(),
      startBedrockConverseFake(),
      startBedrockAgentFake(),
    ]);
    fakes.clock = new ManualClock();
    fakes.dir = mkdtempSync(join(tmpdir(), 'baton-model-loop-'));
  });
  afterEach(async () => {
    await Promise.all([
      fakes.openai.close(),
      fakes.azure.close(),
      fakes.converse.close(),
      fakes.agentFake.close(),
    ]);
    rmSync(fakes.dir, { recursive: true, force: true });
  });
  return fakes;
}
