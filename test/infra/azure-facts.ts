import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_QUEUE_NAME } from '@baton/azure';
import { MAIN } from '@baton/azure/build';
import { PROVIDER_PACKAGES } from '@baton/core';
import { containerDefinition } from '@baton/store-cosmos';
import { builtBundle } from './built-bundle.js';
import { bundledSources, packageSources, readsOf } from './environment-reads.js';
import { REPO_ROOT } from './infra-copy.js';

/** What the Azure code says, read from the packages; a test may hand the check a doctored copy. */
export interface AzureFacts {
  /** The app folder the recording was given (what `npx baton build azure` writes). */
  appDir: string;
  /** The entry of this repository's real app folder (`baton build azure`): `<dir>/app.mjs`. */
  entry: string;
  container: { partitionKey: unknown; defaultTtl: number; indexingPolicy: unknown };
  defaultQueueName: string;
  /** The functions the app registers on storage queues, by queue: the poison one raises the alert. */
  queueFunctions: Map<string, string>;
  /** Variables the bundled code reads, and any model provider it may bundle. */
  reads: Set<string>;
  consumers: Set<string>;
}

/**
 * The facts from the app folder `baton build azure` writes for this repository's baton.config.ts
 * (the sources its source map names), plus every model provider package, any of which a
 * deployment bundles when its environment names that provider's model.
 */
export async function azureFacts(appDir: string): Promise<AzureFacts> {
  const entry = join(await builtBundle('azure'), MAIN);
  const sources = bundledSources(entry);
  const providers = await packageSources([...new Set(Object.values(PROVIDER_PACKAGES))], REPO_ROOT);
  const reads = readsOf(sources, providers);
  const queueFunctions = new Map<string, string>();
  for (const file of sources) {
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/\.storageQueue\('([^']+)',\s*\{\s*queueName:\s*([^,]+),/g)) {
      const queue = match[2]!.includes('-poison') ? `${DEFAULT_QUEUE_NAME}-poison` : DEFAULT_QUEUE_NAME;
      queueFunctions.set(queue, match[1]!);
    }
  }
  return {
    appDir,
    entry,
    container: containerDefinition,
    defaultQueueName: DEFAULT_QUEUE_NAME,
    queueFunctions,
    reads: new Set(reads.variables.keys()),
    consumers: new Set(reads.variables.keys()),
  };
}
