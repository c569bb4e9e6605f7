import { describe, expect, it } from 'vitest';
import { selectModel } from './model-selection.js';

describe('selectModel', () => {
  it('uses the offline demo model and says so when no provider is configured', async () => {
    const selected = await selectModel({});
    expect(selected).toMatchObject({ offline: true });
    expect(selected.description).toContain('not an LLM');
  });

  it.each([
    [{ OPENAI_API_KEY: 'k' }, 'openai'],
    [{ OPENAI_BASE_URL: 'http://127.0.0.1:1/v1', BATON_MODEL: 'llama3' }, 'openai-compatible'],
    [
      { AZURE_OPENAI_ENDPOINT: 'https://x.openai.azure.com', AZURE_OPENAI_API_KEY: 'k', BATON_MODEL: 'gpt' },
      'azure-openai',
    ],
    [
      {
        BATON_MODEL_PROVIDER: 'bedrock-openai',
        AWS_BEARER_TOKEN_BEDROCK: 'k',
        AWS_REGION: 'us-east-1',
        BATON_MODEL: 'openai.gpt-oss-120b-1:0',
      },
      'bedrock-openai',
    ],
    [
      { BATON_MODEL_PROVIDER: 'bedrock', AWS_REGION: 'us-east-1', BATON_MODEL: 'us.amazon.nova-pro-v1:0' },
      'bedrock',
    ],
    [
      { BATON_MODEL_PROVIDER: 'bedrock-agent', AWS_REGION: 'us-east-1', BATON_MODEL: 'anthropic.claude' },
      'bedrock-agent',
    ],
  ])('never falls back to the demo model when a provider is configured (%j)', async (env, provider) => {
    const selected = await selectModel(env);
    expect(selected.offline).toBe(false);
    expect(selected.model.provider).toBe(provider);
  });

  it('refuses an unknown provider and a provider missing its settings', async () => {
    await expect(selectModel({ BATON_MODEL_PROVIDER: 'claude-direct' })).rejects.toThrow(
      /BATON_MODEL_PROVIDER/,
    );
    await expect(selectModel({ BATON_MODEL_PROVIDER: 'azure-openai' })).rejects.toThrow(
      /AZURE_OPENAI_ENDPOINT/,
    );
  });
});
