import { join } from 'node:path';
import { APP_SERVICE_AUTH_SETTING } from '@baton/azure';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appSettingsOf, azureMismatches } from './azure-contract.js';
import { type AzureFacts, azureFacts } from './azure-facts.js';
import {
  bundleFolder,
  everySetting,
  INFRA_DIR,
  mismatchedCopy,
  removeCopies,
  settingsOf,
} from './infra-copy.js';
import { type Recording, recordInfra, resourcesOf } from './recording.js';

const EASY_AUTH = {
  appServiceAuth: { issuer: 'https://login.microsoftonline.com/0000/v2.0', clientId: 'client-1' },
};

let appDir: string;

/** Records infra/azure.ts of `dir` with every optional setting in the deploy environment. */
async function recordAzure(dir: string, auth?: unknown): Promise<Recording> {
  const settings = await settingsOf(dir);
  const env = everySetting([...settings.MODEL_SETTINGS, ...settings.AUTH_SETTINGS, ...settings.AZURE_TUNING]);
  const now = new Date('2026-12-05T10:00:00Z');
  return recordInfra(join(dir, 'azure.ts'), 'deployAzure', [appDir, { env, now, ...(auth ? { auth } : {}) }]);
}

async function mismatchesOf(dir: string, facts: AzureFacts, auth?: unknown): Promise<string[]> {
  const settings = await settingsOf(dir);
  return azureMismatches(await recordAzure(dir, auth), facts, {
    leftUnset: settings.AZURE_LEFT_UNSET,
    hostOnly: settings.AZURE_HOST_SETTINGS,
    forbidden: settings.FLEX_FORBIDDEN_SETTINGS,
  });
}

describe('infra/azure.ts authentication', () => {
  let facts: AzureFacts;
  afterAll(removeCopies);
  beforeAll(async () => {
    appDir = bundleFolder(['package.json', 'host.json', 'app.mjs']);
    facts = await azureFacts(appDir);
  });

  it('asks for function keys by default and trusts no principal header without App Service authentication', async () => {
    const recording = await recordAzure(INFRA_DIR);
    const settings = appSettingsOf(recording);
    expect(settings?.get('BATON_HTTP_AUTH_LEVEL')).toBe('function');
    expect(settings?.has('BATON_APP_SERVICE_AUTH')).toBe(false);
    expect(resourcesOf(recording, 'azurenative.web.WebAppAuthSettingsV2')).toEqual([]);
    const anonymous = appSettingsOf(await recordAzure(INFRA_DIR, { functionKeys: false }));
    expect(anonymous?.get('BATON_HTTP_AUTH_LEVEL')).toBe('anonymous');
  });

  it('configures App Service authentication with Entra ID and tells the app, which then agrees with it', async () => {
    const recording = await recordAzure(INFRA_DIR, EASY_AUTH);
    const [auth] = resourcesOf(recording, 'azurenative.web.WebAppAuthSettingsV2');
    expect(auth?.args).toMatchObject({
      platform: { enabled: true },
      globalValidation: { requireAuthentication: false, unauthenticatedClientAction: 'AllowAnonymous' },
      identityProviders: {
        azureActiveDirectory: {
          enabled: true,
          registration: { clientId: 'client-1', openIdIssuer: EASY_AUTH.appServiceAuth.issuer },
          validation: { allowedAudiences: ['api://client-1', 'client-1'] },
        },
      },
    });
    expect(appSettingsOf(recording)?.get(APP_SERVICE_AUTH_SETTING)).toBe('true');
    expect(await mismatchesOf(INFRA_DIR, facts, EASY_AUTH)).toEqual([]);
  });

  it('reports an app told to trust the principal header when a copy sets the setting without the platform check', async () => {
    const dir = mismatchedCopy(
      'azure.ts',
      "...(easyAuth ? { [APP_SERVICE_AUTH_SETTING]: 'true' } : {}),",
      "[APP_SERVICE_AUTH_SETTING]: 'true',",
    );
    expect(await mismatchesOf(dir, facts)).toEqual([
      'BATON_APP_SERVICE_AUTH is true but App Service authentication is not configured: anyone can write x-ms-client-principal',
    ]);
  });

  it('reports an app that ignores the platform when a copy configures authentication without telling it', async () => {
    const dir = mismatchedCopy(
      'azure.ts',
      "...(easyAuth ? { [APP_SERVICE_AUTH_SETTING]: 'true' } : {}),",
      '',
    );
    expect(await mismatchesOf(dir, facts, EASY_AUTH)).toEqual([
      'App Service authentication is configured but BATON_APP_SERVICE_AUTH is not true',
    ]);
  });

  it('reports a platform that refuses requests without a token when a copy requires authentication', async () => {
    const dir = mismatchedCopy(
      'azure-auth.ts',
      "globalValidation: { requireAuthentication: false, unauthenticatedClientAction: 'AllowAnonymous' },",
      "globalValidation: { requireAuthentication: true, unauthenticatedClientAction: 'Return401' },",
    );
    expect(await mismatchesOf(dir, facts, EASY_AUTH)).toEqual([
      'App Service authentication refuses requests without a token, which locks out Slack, /healthz and API keys',
    ]);
  });

  it('names the setting as @baton/azure reads it, and stops with one line without an issuer or client id', async () => {
    const infra = await import(join(INFRA_DIR, 'azure-auth.ts'));
    expect(infra.APP_SERVICE_AUTH_SETTING).toBe(APP_SERVICE_AUTH_SETTING);
    await expect(recordAzure(INFRA_DIR, { appServiceAuth: { issuer: '', clientId: 'c' } })).rejects.toThrow(
      'auth.appServiceAuth needs an issuer and a clientId',
    );
  });
});
