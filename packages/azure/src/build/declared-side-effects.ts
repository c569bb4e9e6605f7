import { readFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import type { Plugin } from 'esbuild';

const SKIP = Symbol('baton-declared-side-effects');

/**
 * The Azure SDK packages declare `"sideEffects": false` in their package.json, but ship their ESM
 * build under `dist/esm/` with a package.json of its own that says only `"type": "module"`. esbuild
 * reads the nearest package.json, finds no `sideEffects` there, and keeps every module of the
 * package, used or not: the Storage SDK's CRC64 calculator (an 83 KB Emscripten module), the
 * Cosmos SDK's bulk executor, change feed, client-side encryption, hybrid search... all on a cold
 * start's load path. This plugin gives esbuild the package's own declaration for such modules: a
 * module in node_modules whose nearest package.json is a nameless marker without `sideEffects`
 * counts as side-effect free when its package's package.json says `"sideEffects": false`. Nothing
 * else changes: a package that declares nothing, or a list of files with side effects, is left
 * to esbuild's own reading.
 *
 * @example
 * await build({ entryPoints: ['app.ts'], bundle: true, plugins: [declaredSideEffectsPlugin()] });
 */
export function declaredSideEffectsPlugin(): Plugin {
  const byDirectory = new Map<string, boolean>();
  return {
    name: 'baton-declared-side-effects',
    setup(build) {
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData === SKIP || args.kind === 'entry-point') return undefined;
        // Our own relative imports never land in a package's dist/esm.
        if (!args.importer.includes(`${sep}node_modules${sep}`) && /^\.\.?\//.test(args.path))
          return undefined;
        const resolved = await build.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          namespace: args.namespace,
          resolveDir: args.resolveDir,
          pluginData: SKIP,
          ...(args.with ? { with: args.with } : {}),
        });
        if (resolved.errors.length > 0 || resolved.external || resolved.namespace !== 'file')
          return undefined;
        if (resolved.sideEffects === false || !declaredFree(resolved.path, byDirectory)) return undefined;
        return {
          path: resolved.path,
          namespace: resolved.namespace,
          sideEffects: false,
          ...(resolved.suffix ? { suffix: resolved.suffix } : {}),
          ...(resolved.pluginData === undefined ? {} : { pluginData: resolved.pluginData }),
        };
      });
    },
  };
}

interface PackageJson {
  name?: string;
  sideEffects?: unknown;
}

/**
 * True when the file's nearest package.json is a nameless marker (no `name`, no `sideEffects`) and
 * the package above it declares `"sideEffects": false`.
 */
export function declaredFree(file: string, cache = new Map<string, boolean>()): boolean {
  const directory = dirname(file);
  const cached = cache.get(directory);
  if (cached !== undefined) return cached;
  let free = false;
  let marker = false;
  for (let at = directory; at.includes(`${sep}node_modules${sep}`); at = dirname(at)) {
    const manifest = readManifest(join(at, 'package.json'));
    if (!manifest) continue;
    if (manifest.name === undefined && manifest.sideEffects === undefined) {
      marker = true;
      continue;
    }
    // The first manifest that says something decides: esbuild already honours it when nearest.
    free = marker && manifest.name !== undefined && manifest.sideEffects === false;
    break;
  }
  cache.set(directory, free);
  return free;
}

function readManifest(path: string): PackageJson | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as PackageJson;
  } catch {
    return undefined;
  }
}
