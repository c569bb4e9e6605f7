import { existsSync, readFileSync } from 'node:fs';
import { rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { build, type Metafile, type Plugin } from 'esbuild';
import { loadPath } from './load-path.js';
import { ZOD_JITLESS_BANNER, zodNamespacePlugin } from './zod-namespace.js';

/** The deployable handlers: one bundle each, `<outDir>/<name>/index.mjs`. */
export const AWS_ENTRIES = ['http', 'worker', 'sweeper'] as const;
export type AwsEntry = (typeof AWS_ENTRIES)[number];

/** The http bundle's second export: the streaming handler a Function URL in RESPONSE_STREAM mode calls. */
export const STREAMING_EXPORT = 'stream';

/** esbuild's account of what went into each handler, `<outDir>/<entry>.meta.json` (outside its folder). */
export const METAFILE = 'meta.json';

/** Where bundles go by default, relative to the config's folder. */
export const DEFAULT_AWS_OUT_DIR = '.baton/build/aws';

/** Code that must never reach an AWS bundle: the Azure SDKs (a wrong import would ship them). */
const FORBIDDEN = /(^|[\\/])node_modules[\\/]@azure[\\/]|^@azure\//;

/**
 * Running from TypeScript sources (this repository, under vitest or tsx): bundle the workspace
 * packages from their sources too, through the condition their `exports` keep for it. Installed
 * from npm, this file is JavaScript and the packages' built `dist` is what gets bundled.
 */
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const SOURCE_CONDITION = '@baton/source';

export interface AwsBundleOptions {
  /** The app's `baton.config.ts` (or `.js`/`.mjs`): its default export is the app definition. */
  configPath: string;
  /** Default: `.baton/build/aws` in the config's folder. */
  outDir?: string;
  /**
   * Packages whose `modelProviders` the handlers register: those of
   * `neededProviders(definition, env).map((id) => PROVIDER_PACKAGES[id])`.
   */
  providerPackages: readonly string[];
  /** Default true. */
  minify?: boolean;
  /**
   * Leave `@aws-sdk/*` to the copy the Lambda Node.js runtime provides (smaller bundles). Default
   * false: the bundle carries the SDK version it was tested with.
   */
  externalAwsSdk?: boolean;
  /**
   * Let zod compile a parser per object schema on its first parse (faster after thousands of
   * parses, tens of milliseconds slower on a cold start). Default false: zod runs jitless.
   */
  zodJit?: boolean;
}

export interface AwsBundleReport {
  name: AwsEntry;
  file: string;
  bytes: number;
  /** The chunks beside it (`chunks/*.mjs`), loaded when first needed or with the entry. */
  chunks: string[];
  /** The files a cold start loads: the entry and the chunks it imports statically. */
  loadPath: string[];
  /** The packages that went into the bundle (`name@version` where known). */
  packages: string[];
}

export class ForbiddenCodeError extends Error {}

/**
 * Bundles a user's app into the three Lambda handlers with esbuild (ESM, node20, source maps):
 * each `<outDir>/<entry>/index.mjs` imports the config, registers the needed model providers and
 * exports `handler` (the http one also `stream`, for a streaming Function URL). Packages resolve from the config's folder first, then from where `@baton/aws`
 * itself is installed. Fails when Azure code ended up in a bundle.
 *
 * @example
 * const reports = await buildAwsBundle({ configPath: 'baton.config.ts', providerPackages: ['@baton/model-openai'] });
 */
export async function buildAwsBundle(options: AwsBundleOptions): Promise<AwsBundleReport[]> {
  const configPath = resolve(options.configPath);
  const configDir = dirname(configPath);
  const outDir = resolve(configDir, options.outDir ?? DEFAULT_AWS_OUT_DIR);
  const reports: AwsBundleReport[] = [];
  // One build per handler, each split into its folder: a chunk that only a first Slack request
  // (or a lazily loaded part) needs stays off the cold start, and every folder deploys on its own.
  for (const name of AWS_ENTRIES) {
    const entryDir = join(outDir, name);
    await rm(entryDir, { recursive: true, force: true });
    const result = await build({
      entryPoints: { index: `baton-entry:${name}` },
      plugins: [entryPlugin(configPath, [...new Set(options.providerPackages)]), zodNamespacePlugin()],
      absWorkingDir: configDir,
      // The user's own node_modules come first (resolveDir); then the ones @baton/aws is installed in.
      nodePaths: createRequire(import.meta.url).resolve.paths('@baton/aws') ?? [],
      // 'module' picks the packages' ESM builds, which esbuild can shake (the AWS SDK's CommonJS it cannot).
      conditions: [...(FROM_SOURCE ? [SOURCE_CONDITION] : []), 'module'],
      outdir: entryDir,
      outExtension: { '.js': '.mjs' },
      chunkNames: 'chunks/[name]-[hash]',
      splitting: true,
      mainFields: ['module', 'main'],
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      minify: options.minify ?? true,
      sourcemap: true,
      metafile: true,
      legalComments: 'none',
      logLevel: 'silent',
      external: options.externalAwsSdk ? ['@aws-sdk/*'] : [],
      // CommonJS dependencies call require(); an ESM bundle has none unless it makes one.
      banner: {
        js: `import { createRequire as __batonCreateRequire } from 'node:module'; const require = __batonCreateRequire(import.meta.url);${options.zodJit ? '' : ZOD_JITLESS_BANNER}`,
      },
    });
    await writeFile(join(outDir, `${name}.${METAFILE}`), JSON.stringify(result.metafile));
    const file = join(entryDir, 'index.mjs');
    findOutput(result.metafile, configDir, file);
    const outputs = Object.entries(result.metafile.outputs).filter(([path]) => !path.endsWith('.map'));
    const inputs = outputs
      .flatMap(([, output]) => Object.keys(output.inputs))
      .map((path) => resolve(configDir, path));
    const packages = packagesOf(inputs);
    const forbidden = [
      ...inputs.filter((path) => FORBIDDEN.test(path)),
      ...outputs.flatMap(([, output]) =>
        output.imports
          .filter((entry) => entry.external && FORBIDDEN.test(entry.path))
          .map((entry) => entry.path),
      ),
      ...packages.filter((pkg) => pkg.startsWith('@azure/')),
    ];
    if (forbidden.length > 0) {
      throw new ForbiddenCodeError(
        `the ${name} bundle contains Azure code: ${[...new Set(forbidden)].join(', ')}`,
      );
    }
    const chunks = outputs.map(([path]) => resolve(configDir, path)).filter((path) => path !== file);
    reports.push({
      name,
      file,
      bytes: (await stat(file)).size,
      chunks,
      loadPath: loadPath(result.metafile, file, configDir),
      packages,
    });
  }
  return reports;
}

/** The generated entry modules, `baton-entry:<name>`, resolved as if they sat next to the config. */
function entryPlugin(configPath: string, providerPackages: string[]): Plugin {
  return {
    name: 'baton-aws-entries',
    setup(build) {
      build.onResolve({ filter: /^baton-entry:/ }, (args) => ({
        path: args.path.slice('baton-entry:'.length),
        namespace: 'baton-entry',
      }));
      build.onLoad({ filter: /.*/, namespace: 'baton-entry' }, (args) => ({
        contents: entrySource(args.path, configPath, providerPackages),
        resolveDir: dirname(configPath),
        loader: 'js',
      }));
    },
  };
}

/** One handler's entry module (exported for tests and for readers of a bundle). */
export function entrySource(entry: string, configPath: string, providerPackages: readonly string[]): string {
  const providers = providerPackages.map((pkg, index) => ({ pkg, name: `p${index}` }));
  return [
    `import definition from ${JSON.stringify(configPath)};`,
    `import { createLambdaHandlers } from '@baton/aws';`,
    ...providers.map(({ pkg, name }) => `import { modelProviders as ${name} } from ${JSON.stringify(pkg)};`),
    `const handlers = createLambdaHandlers(definition, { providers: [${providers
      .map(({ name }) => `...${name}`)
      .join(', ')}] });`,
    `export const handler = handlers.${entry};`,
    // The Function URL's streaming handler lives in the http bundle: the same code, another export.
    ...(entry === 'http' ? [`export const ${STREAMING_EXPORT} = handlers.stream;`] : []),
    '',
  ].join('\n');
}

function findOutput(metafile: Metafile, workingDir: string, file: string): Metafile['outputs'][string] {
  for (const [path, output] of Object.entries(metafile.outputs)) {
    if (resolve(workingDir, path) === file) return output;
  }
  throw new Error(`esbuild reported no output ${file}`);
}

/** Each input's package, from the nearest package.json with a name (workspace packages included). */
function packagesOf(inputs: readonly string[]): string[] {
  const byDir = new Map<string, string | null>();
  const packageOf = (dir: string): string | null => {
    const known = byDir.get(dir);
    if (known !== undefined) return known;
    let found: string | null = null;
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        const { name, version } = JSON.parse(readFileSync(manifest, 'utf8')) as {
          name?: string;
          version?: string;
        };
        if (name) found = version ? `${name}@${version}` : name;
      } catch {
        // not a package manifest we can read
      }
    }
    const parent = dirname(dir);
    if (found === null && parent !== dir) found = packageOf(parent);
    byDir.set(dir, found);
    return found;
  };
  const names = new Set<string>();
  for (const input of inputs) {
    if (input.includes('baton-entry:')) continue;
    const name = packageOf(dirname(input));
    if (name) names.add(name);
  }
  return [...names].sort();
}
