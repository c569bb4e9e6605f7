import { copyFile, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile, type Plugin } from 'esbuild';
import { declaredSideEffectsPlugin } from './declared-side-effects.js';
import { loadPath } from './load-path.js';
import { ZOD_JITLESS_BANNER, zodNamespacePlugin } from './zod-namespace.js';

/** This package's folder (from `src/build` in the repository, `dist/build` when installed): host.json. */
const PACKAGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** Where the app folder goes unless told, relative to the config's folder. */
export const DEFAULT_OUT_DIR = '.baton/build/azure';
export const MAIN = 'app.mjs';
/** esbuild's account of what went into the app (which chunks load at start, which later). */
export const METAFILE = 'meta.json';

/** AWS SDK code must never reach the Azure bundle: a stray import would ship and load it. */
const FORBIDDEN = /(^|[\\/])node_modules[\\/]@(aws-sdk|smithy)[\\/]|^@(aws-sdk|smithy)\//;

export class ForbiddenCodeError extends Error {}

export interface AzureBuildOptions {
  /** The user's `baton.config.ts` (its default export is the app definition). */
  configPath: string;
  /** Default: `.baton/build/azure` next to the config. Emptied first. */
  outDir?: string;
  /** Packages whose `modelProviders` the app needs (see core's `neededProviders` and `PROVIDER_PACKAGES`). */
  providerPackages?: readonly string[];
  minify?: boolean;
  /**
   * Let zod compile a parser per object schema on its first parse (faster after thousands of
   * parses, tens of milliseconds slower on a cold start). Default false: zod runs jitless.
   */
  zodJit?: boolean;
  /** Extra export conditions to resolve with (this repository's tests use `@baton/source`). */
  conditions?: readonly string[];
}

export interface AzureBundleReport {
  outDir: string;
  main: string;
  bytes: number;
  /** The files the app loads at start: `app.mjs` and the chunks it imports statically. */
  loadPath: string[];
  /** Packages (from node_modules) that went into the bundle. */
  packages: string[];
}

/**
 * Builds the deployable Functions app folder for a user's config: `app.mjs` (an entry that
 * registers the config's app, and everything it imports), `host.json`, and a `package.json` whose
 * `main` the Functions host loads. Nothing to install: only `@azure/functions-core`, which the Node
 * worker itself provides, stays external. Imports resolve from the config's folder, so the user's
 * own dependencies and their copy of Baton go in.
 *
 * @example
 * const report = await buildAzureApp({ configPath: 'baton.config.ts', providerPackages: ['@baton/model-openai'] });
 */
export async function buildAzureApp(options: AzureBuildOptions): Promise<AzureBundleReport> {
  const configPath = resolve(options.configPath);
  const configDir = dirname(configPath);
  const outDir = resolve(configDir, options.outDir ?? DEFAULT_OUT_DIR);
  if (!relative(outDir, configDir).startsWith('..')) {
    throw new Error(`the output folder ${outDir} holds the config; choose a folder of its own`);
  }
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const file = join(outDir, MAIN);
  const result = await build({
    entryPoints: { app: 'baton-azure-entry' },
    plugins: [
      entryPlugin(configPath, options.providerPackages ?? []),
      declaredSideEffectsPlugin(),
      zodNamespacePlugin(),
    ],
    absWorkingDir: configDir,
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    // A part only a first Slack request needs goes to a chunk the app loads then, not at start.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    minify: options.minify ?? true,
    sourcemap: true,
    metafile: true,
    legalComments: 'none',
    logLevel: 'warning',
    // 'module' picks the packages' ESM builds, which esbuild can shake (CommonJS it cannot).
    conditions: [...(options.conditions ?? []), 'module'],
    mainFields: ['module', 'main'],
    external: ['@azure/functions-core'],
    // CommonJS dependencies (@azure/functions) call require(); an ESM bundle has none unless it makes one.
    banner: {
      js: `import { createRequire as __batonCreateRequire } from 'node:module'; const require = __batonCreateRequire(import.meta.url);${options.zodJit ? '' : ZOD_JITLESS_BANNER}`,
    },
  });
  await writeFile(join(outDir, METAFILE), JSON.stringify(result.metafile));
  assertNoAwsCode(result.metafile);
  await copyFile(join(PACKAGE_DIR, 'host.json'), join(outDir, 'host.json'));
  const own = JSON.parse(await readFile(join(PACKAGE_DIR, 'package.json'), 'utf8')) as { version: string };
  const manifest = {
    name: 'baton-azure-functions',
    version: own.version,
    private: true,
    type: 'module',
    main: MAIN,
    engines: { node: '>=20' },
  };
  await writeFile(join(outDir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return {
    outDir,
    main: file,
    bytes: (await stat(file)).size,
    loadPath: loadPath(result.metafile, file, configDir),
    packages: packagesOf(result.metafile),
  };
}

/** The generated entry, `baton-azure-entry`, resolved as if it sat next to the config. */
function entryPlugin(configPath: string, providerPackages: readonly string[]): Plugin {
  return {
    name: 'baton-azure-entry',
    setup(build) {
      build.onResolve({ filter: /^baton-azure-entry$/ }, (args) => ({
        path: args.path,
        namespace: 'baton-entry',
      }));
      build.onLoad({ filter: /.*/, namespace: 'baton-entry' }, () => ({
        contents: entrySource(configPath, providerPackages),
        resolveDir: dirname(configPath),
        loader: 'js',
      }));
    },
  };
}

/** The generated entry: the config's definition, registered with the model providers it needs. */
export function entrySource(configPath: string, providerPackages: readonly string[]): string {
  const imports = providerPackages.map(
    (name, index) => `import { modelProviders as p${index} } from ${JSON.stringify(name)};`,
  );
  const providers = providerPackages.map((_name, index) => `...p${index}`).join(', ');
  return [
    `import definition from ${JSON.stringify(configPath)};`,
    "import { registerBaton } from '@baton/azure';",
    ...imports,
    `registerBaton(definition, { providers: [${providers}] });`,
    '',
  ].join('\n');
}

/** Fails when any input of the bundle, or any import left external, is AWS SDK code. */
export function assertNoAwsCode(metafile: Metafile): void {
  const paths = [
    ...Object.keys(metafile.inputs),
    ...Object.values(metafile.outputs).flatMap((output) =>
      output.imports.filter((entry) => entry.external).map((entry) => entry.path),
    ),
  ];
  const forbidden = [...new Set(paths.filter((path) => FORBIDDEN.test(path)))];
  if (forbidden.length > 0) {
    throw new ForbiddenCodeError(`the Azure bundle contains AWS SDK code: ${forbidden.join(', ')}`);
  }
}

function packagesOf(metafile: Metafile): string[] {
  const names = new Set<string>();
  for (const path of Object.keys(metafile.inputs)) {
    const match = path.match(/node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/g)?.at(-1);
    if (match) names.add(match.replace(/^node_modules[\\/]/, '').replace(/\\/g, '/'));
  }
  return [...names].sort();
}
