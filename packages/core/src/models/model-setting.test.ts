import { describe, expect, it } from 'vitest';
import { modelSetting } from './model-setting.js';

describe('modelSetting', () => {
  it('splits the short form on a known provider only, keeping colons in model ids', () => {
    expect(modelSetting({ BATON_MODEL: 'bedrock:us.amazon.nova-pro-v1:0' })).toEqual({
      provider: 'bedrock',
      model: 'us.amazon.nova-pro-v1:0',
    });
    expect(modelSetting({ BATON_MODEL: 'bedrock-openai:openai.gpt-oss-120b-1:0' })).toEqual({
      provider: 'bedrock-openai',
      model: 'openai.gpt-oss-120b-1:0',
    });
    expect(modelSetting({ BATON_MODEL: 'llama3:8b' })).toEqual({ provider: undefined, model: 'llama3:8b' });
  });

  it('lets BATON_MODEL_PROVIDER win and leaves the model whole', () => {
    expect(modelSetting({ BATON_MODEL_PROVIDER: 'openai-compatible', BATON_MODEL: 'openai:gpt' })).toEqual({
      provider: 'openai-compatible',
      model: 'openai:gpt',
    });
  });
});
