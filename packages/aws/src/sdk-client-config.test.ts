import { SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sdkClientConfig } from './sdk-client-config.js';

describe('sdkClientConfig', () => {
  afterEach(() => vi.unstubAllEnvs());

  it("gives Lambda's region and key variables to a client, as the SDK's chains would find them", async () => {
    vi.stubEnv('AWS_PROFILE', '');
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret');
    vi.stubEnv('AWS_SESSION_TOKEN', 'token');
    const config = sdkClientConfig();
    expect(config.region).toBe('eu-west-1');
    const client = new SQSClient(config);
    expect(await client.config.region()).toBe('eu-west-1');
    expect(await client.config.credentials()).toMatchObject({
      accessKeyId: 'AKIDEXAMPLE',
      secretAccessKey: 'secret',
      sessionToken: 'token',
    });
    client.destroy();
  });

  it('leaves the credentials to the default chain when AWS_PROFILE names a profile or no keys are set', () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret');
    vi.stubEnv('AWS_PROFILE', 'dev');
    expect(sdkClientConfig().credentials).toBeUndefined();
    vi.stubEnv('AWS_PROFILE', '');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', '');
    expect(sdkClientConfig().credentials).toBeUndefined();
  });

  it('sets nothing outside an AWS environment', () => {
    for (const name of ['AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_PROFILE']) {
      vi.stubEnv(name, '');
    }
    expect(sdkClientConfig()).toEqual({});
  });
});
