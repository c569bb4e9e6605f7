import { copyFile, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';

const PACKAGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const REPO_ROOT = resolve(PACKAGE_DIR, '../..');
export const DEFAULT_OUTDIR = join(REPO_ROOT, 'dist/azure');
const ENTRY = join(PACKAGE_DIR, 'src/entry/app.ts');
export const MAIN = 'app.mjs';

/** AWS SDK code must never reach the Azure bundle: a stray import would ship and load it. */
const FORBIDDEN = /(^|[\\/])node_modules[\\/]@(aws-sdk|smithy)[\\/]|^@(aws-sdk|smithy)\//;

export class ForbiddenCodeError extends Error {}

export interface AzureBundleReport {
  outdir: string;
  main: string;
  bytes: number;
  /** Packages (from node_modules) that went into the bundle. */
  packages: string[];
}

/**
 * Builds the deployable Functions app folder: `app.mjs` (the entry and everything it imports),
 * `host.json`, and a `package.json` whose `main` the Functions host loads. Nothing to install:
 * only `@azure/functions-core`, which the Node worker itself provides, stays external.
 *
 * @example
 * const report = await buildAzureApp({ outdir: 'dist/azure' });
 */
export async function buildAzureApp(
  options: { outdir?: string; minify?: boolean } = {},
): Promise<AzureBundleReport> {
  const outdir = options.outdir ?? DEFAULT_OUTDIR;
  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });
  const file = join(outdir, MAIN);
  const result = await build({
    entryPoints: [ENTRY],
    outfile: file,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    minify: options.minify ?? true,
    sourcemap: true,
    metafile: true,
    legalComments: 'none',
    logLevel: 'warning',
    external: ['@azure/functions-core'],
    // CommonJS dependencies (@azure/functions) call require(); an ESM bundle has none unless it makes one.
    banner: {
      js: "import { createRequire as __batonCreateRequire } from 'node:module'; const require = __batonCreateRequire(import.meta.url);",
    },
  });
  assertNoAwsCode(result.metafile);
  await copyFile(join(PACKAGE_DIR, 'host.json'), join(outdir, 'host.json'));
  const own = JSON.parse(await readFile(join(PACKAGE_DIR, 'package.json'), 'utf8')) as { version: string };
  const manifest = {
    name: 'baton-azure-functions',
    version: own.version,
    private: true,
    type: 'module',
    main: MAIN,
    engines: { node: '>=20' },
  };
  await writeFile(join(outdir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return { outdir, main: file, bytes: (await stat(file)).size, packages: packagesOf(result.metafile) };
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
