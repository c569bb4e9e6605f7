import { resolve } from 'node:path';
import { ConfigurationError, type Environment, neededProviders, PROVIDER_PACKAGES } from '@baton/core';
import { findConfig, loadDefinition } from './config-file.js';

export type BuildTarget = 'aws' | 'azure';

/** What `@baton/aws/build` and `@baton/azure/build` take; each host package owns its bundling. */
interface HostBuildOptions {
  configPath: string;
  outDir: string;
  providerPackages: string[];
  /**
   * AWS: leave `@aws-sdk/*` to the copy the Lambda runtime provides. Off by default: bundled and
   * shaken, the clients load faster than the runtime's copy resolves (`npm run bench` measures both).
   */
  externalAwsSdk?: boolean;
  /** Export conditions: in Baton's own repository the packages resolve to their sources. */
  conditions?: string[];
}

/** Running from TypeScript means running in Baton's repository, where packages export `@baton/source`. */
const FROM_SOURCE = import.meta.url.endsWith('.ts');

interface HostBuilds {
  aws: { module: string; fn: 'buildAwsBundle'; defaultOut: string };
  azure: { module: string; fn: 'buildAzureApp'; defaultOut: string };
}

const HOSTS: HostBuilds = {
  aws: { module: '@baton/aws/build', fn: 'buildAwsBundle', defaultOut: '.baton/build/aws' },
  azure: { module: '@baton/azure/build', fn: 'buildAzureApp', defaultOut: '.baton/build/azure' },
};

/**
 * `baton build aws|azure`: loads the project's config, works out which model provider packages its
 * agents need in this environment (so only those SDKs are bundled), and asks the host package to
 * bundle the user's app into a deployable folder.
 *
 * @example
 * const { outDir } = await buildProject('aws', { cwd: process.cwd(), env: process.env });
 */
export async function buildProject(
  target: BuildTarget,
  options: {
    cwd: string;
    env: Environment;
    config?: string;
    outDir?: string;
    /** The default; kept for `--bundle-aws-sdk`. */
    bundleAwsSdk?: boolean;
    externalAwsSdk?: boolean;
  },
): Promise<{ outDir: string; providerPackages: string[]; report: unknown }> {
  const host = HOSTS[target];
  const configPath = findConfig(options.cwd, options.config);
  const definition = await loadDefinition(configPath);
  const ids = neededProviders(definition, options.env);
  const providerPackages = [...new Set(ids.map((id) => packageOf(id)))];
  const outDir = resolve(options.cwd, options.outDir ?? host.defaultOut);
  let builder: Record<string, (options: HostBuildOptions) => Promise<unknown>>;
  try {
    builder = (await import(host.module)) as typeof builder;
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new ConfigurationError(
      `building for ${target} needs ${host.module.replace('/build', '')}: npm install ${host.module.replace('/build', '')}`,
    );
  }
  const build = builder[host.fn];
  if (!build) throw new ConfigurationError(`${host.module} has no ${host.fn}: update ${host.module}`);
  const report = await build({
    configPath,
    outDir,
    providerPackages,
    externalAwsSdk: options.externalAwsSdk === true && options.bundleAwsSdk !== true,
    ...(FROM_SOURCE ? { conditions: ['@baton/source'] } : {}),
  });
  return { outDir, providerPackages, report };
}

function packageOf(id: string): string {
  const pkg = PROVIDER_PACKAGES[id];
  if (!pkg) {
    throw new ConfigurationError(
      `no package serves the model provider "${id}": register it in defineBaton({ models: [...] })`,
    );
  }
  return pkg;
}
