import { ScriptedModel } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { MODEL_PICKERS, modelFromEnvironment } from './model.js';

function logger() {
  const lines: string[] = [];
  return {
    lines,
    info: (message: string) => lines.push(message),
    warn: (message: string) => lines.push(message),
  };
}

describe('modelFromEnvironment', () => {
  it('serves the offline demo model and says so when no provider is configured', () => {
    const log = logger();
    const model = modelFromEnvironment({ env: {}, logger: log });
    expect(model.provider).toBe('offline-demo');
    expect(log.lines).toEqual([expect.stringContaining('OFFLINE DEMO MODEL')]);
    expect(
      modelFromEnvironment({ env: { BATON_MODEL_PROVIDER: 'offline', OPENAI_API_KEY: 'sk-test' } }).provider,
    ).toBe('offline-demo');
  });

  it('uses the provider the environment configures when a picker knows it', () => {
    const openai = modelFromEnvironment({
      env: { BATON_MODEL_PROVIDER: 'openai', OPENAI_API_KEY: 'sk-test' },
    });
    expect(openai.provider).toBe('openai');
    const bedrock = modelFromEnvironment({
      env: {
        BATON_MODEL_PROVIDER: 'bedrock',
        BATON_MODEL: 'us.amazon.nova-pro-v1:0',
        AWS_REGION: 'eu-west-1',
      },
    });
    expect(bedrock.modelId).toBe('us.amazon.nova-pro-v1:0');
  });

  it('takes a deployment picker when one is added to the hook', () => {
    const scripted = new ScriptedModel([]);
    const model = modelFromEnvironment({
      env: { BATON_MODEL_PROVIDER: 'scripted' },
      pickers: [
        ...MODEL_PICKERS,
        (env) =>
          env.BATON_MODEL_PROVIDER === 'scripted' ? { model: scripted, description: 'scripted' } : null,
      ],
    });
    expect(model).toBe(scripted);
  });

  it('refuses to fall back to the demo model when the configured provider is unknown', () => {
    expect(() => modelFromEnvironment({ env: { BATON_MODEL_PROVIDER: 'gemini' } })).toThrow(
      /BATON_MODEL_PROVIDER=gemini is not a provider this deployment knows/,
    );
  });
});
