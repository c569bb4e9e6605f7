import { ConfigurationError, type ModelProvider, PROVIDER_PACKAGES } from '@baton/core';

/** Loads a package by name: `import()` by default; tests pass their own. */
export type PackageImporter = (name: string) => Promise<unknown>;

/**
 * Loads the model providers of the given provider ids (from `neededProviders`): each id's package
 * in PROVIDER_PACKAGES, imported once, and its `modelProviders` export. Ids no package serves are
 * left to the app's model registry, which names the choices. A package that is not installed is a
 * ConfigurationError saying what to install.
 *
 * @example
 * const providers = await loadModelProviders(neededProviders(definition, process.env));
 */
export async function loadModelProviders(
  ids: readonly string[],
  importer: PackageImporter = (name) => import(name),
): Promise<ModelProvider[]> {
  const packages = new Map<string, string>();
  for (const id of ids) {
    const name = PROVIDER_PACKAGES[id];
    if (name && !packages.has(name)) packages.set(name, id);
  }
  const loaded = await Promise.all(
    [...packages].map(async ([name, id]) => {
      let exports: unknown;
      try {
        exports = await importer(name);
      } catch (error) {
        const missing = missingModule(error);
        if (missing === undefined) throw error;
        throw new ConfigurationError(
          `model provider "${id}" needs the package ${name} and what it depends on: npm install ${name} (${missing})`,
          { provider: id, package: name },
        );
      }
      const providers = (exports as { modelProviders?: unknown } | null)?.modelProviders;
      if (!Array.isArray(providers)) {
        throw new ConfigurationError(
          `the package ${name} exports no modelProviders list; install a version of it that matches @baton/core`,
          { provider: id, package: name },
        );
      }
      return providers as ModelProvider[];
    }),
  );
  return loaded.flat();
}

/** The first line of an import's error when a module was not found (the package or a dependency of it). */
function missingModule(error: unknown): string | undefined {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return undefined;
  return String(message)
    .split('\n')[0]
    ?.replace(/ imported from .*$/, '');
}
