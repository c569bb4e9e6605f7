import { ConfigurationError } from '@baton/core';
import { describe, expect, it } from 'vitest';
import { loadModelProviders } from './model-providers.js';

describe('loadModelProviders', () => {
  it('imports each package once and returns its modelProviders', async () => {
    const imported: string[] = [];
    const providers = await loadModelProviders(['openai', 'azure-openai'], (name) => {
      imported.push(name);
      return import(name);
    });
    expect(imported).toEqual(['@baton/model-openai']);
    expect(providers.map((provider) => provider.id)).toContain('azure-openai');
  });

  it('loads nothing for ids no package serves (the registry explains those)', async () => {
    const providers = await loadModelProviders(['offline', 'no-such-provider'], () => {
      throw new Error('nothing may be imported');
    });
    expect(providers).toEqual([]);
  });

  it('refuses with a one-line ConfigurationError when a package is not installed', async () => {
    const loading = loadModelProviders(['bedrock'], () => import('@baton/model-not-installed' as string));
    await expect(loading).rejects.toBeInstanceOf(ConfigurationError);
    const error = (await loading.catch((caught: unknown) => caught)) as Error;
    expect(error.message).toMatch(/^model provider "bedrock" needs the package @baton\/model-bedrock/);
    expect(error.message).toContain('npm install @baton/model-bedrock');
    expect(error.message).not.toContain('\n');
  });

  it('refuses a package without a modelProviders export', async () => {
    await expect(loadModelProviders(['openai'], async () => ({}))).rejects.toThrow(
      'the package @baton/model-openai exports no modelProviders list',
    );
  });

  it('passes on an error that is not a missing module', async () => {
    await expect(
      loadModelProviders(['openai'], async () => {
        throw new SyntaxError('broken package');
      }),
    ).rejects.toThrow(SyntaxError);
  });
});
