/**
 * Which clouds one `sst deploy` builds, from `BATON_CLOUDS` (comma-separated `aws`, `azure`;
 * default `aws`). sst.config.ts reads it in `app()` too, because the Pulumi providers (and the
 * types `sst install` generates) follow the clouds chosen.
 */
export type Cloud = 'aws' | 'azure';

const KNOWN: readonly Cloud[] = ['aws', 'azure'];

export function selectedClouds(value: string | undefined): Cloud[] {
  const names = (value ?? 'aws')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  const unknown = names.filter((name) => !KNOWN.includes(name as Cloud));
  if (unknown.length > 0 || names.length === 0) {
    throw new Error(`BATON_CLOUDS must list aws and/or azure, got ${JSON.stringify(value)}`);
  }
  return KNOWN.filter((cloud) => names.includes(cloud));
}

/**
 * Pinned so `sst install` always generates the types `npm run check:infra` was written against;
 * bump deliberately (and re-run check:infra) rather than float with SST's defaults.
 */
export const AZURE_NATIVE_VERSION = '3.28.0';

export function isProduction(stage: string): boolean {
  return stage === 'production';
}

/**
 * A name stem for Azure resources whose names are global (storage and Cosmos DB accounts, the
 * function app's host name): lowercase letters and digits of app and stage, short enough that
 * Pulumi's random suffix still fits a storage account's 24 characters.
 */
export function azureNameStem(app: string, stage: string): string {
  const clean = (text: string) => text.toLowerCase().replace(/[^a-z0-9]/g, '');
  return `${clean(app).slice(0, 6)}${clean(stage).slice(0, 8)}` || 'baton';
}
