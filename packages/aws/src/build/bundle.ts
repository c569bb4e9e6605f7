import { stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';

/** The deployable handlers: one bundle each, `dist/aws/<name>/index.mjs`. */
export const ENTRIES = ['http', 'worker', 'sweeper'] as const;
export type EntryName = (typeof ENTRIES)[number];

const ENTRY_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../entry');
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
export const DEFAULT_OUTDIR = join(REPO_ROOT, 'dist/aws');

/** Code that must never reach an AWS bundle: the Azure SDKs (a wrong import would ship them). */
const FORBIDDEN = /(^|[\\/])node_modules[\\/]@azure[\\/]|^@azure\//;

export interface BundleOptions {
  outdir?: string;
  minify?: boolean;
  /**
   * Bundle the AWS SDK instead of using the copy the Lambda Node.js runtime provides. Default
   * false: the runtime's SDK v3 keeps bundles small and cold starts short.
   */
  bundleAwsSdk?: boolean;
  /** Replaces an entry's source file (tests use it to check the Azure guard). */
  entryFiles?: Partial<Record<EntryName, string>>;
}

export interface BundleReport {
  name: EntryName;
  file: string;
  bytes: number;
  /** Packages (from node_modules) that went into the bundle. */
  packages: string[];
}

export class ForbiddenCodeError extends Error {}

/**
 * Builds every entry with esbuild (ESM, node20, minified, sourcemaps) and fails when Azure code
 * ended up in a bundle.
 *
 * @example
 * const reports = await buildBundles({ outdir: 'dist/aws' });
 */
export async function buildBundles(options: BundleOptions = {}): Promise<BundleReport[]> {
  const outdir = options.outdir ?? DEFAULT_OUTDIR;
  const result = await build({
    entryPoints: Object.fromEntries(
      ENTRIES.map((name) => [`${name}/index`, options.entryFiles?.[name] ?? join(ENTRY_DIR, `${name}.ts`)]),
    ),
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    minify: options.minify ?? true,
    sourcemap: true,
    metafile: true,
    legalComments: 'none',
    logLevel: 'warning',
    external: options.bundleAwsSdk ? [] : ['@aws-sdk/*'],
    // CommonJS dependencies call require(); an ESM bundle has none unless it makes one.
    banner: {
      js: "import { createRequire as __batonCreateRequire } from 'node:module'; const require = __batonCreateRequire(import.meta.url);",
    },
  });
  const reports: BundleReport[] = [];
  for (const name of ENTRIES) {
    const file = join(outdir, name, 'index.mjs');
    const output = findOutput(result.metafile, file);
    const forbidden = [
      ...Object.keys(output.inputs),
      ...output.imports.filter((entry) => entry.external).map((entry) => entry.path),
    ].filter((path) => FORBIDDEN.test(path));
    if (forbidden.length > 0) {
      throw new ForbiddenCodeError(`the ${name} bundle contains Azure code: ${forbidden.join(', ')}`);
    }
    reports.push({ name, file, bytes: (await stat(file)).size, packages: packagesOf(output.inputs) });
  }
  return reports;
}

function findOutput(metafile: Metafile, file: string): Metafile['outputs'][string] {
  for (const [path, output] of Object.entries(metafile.outputs)) {
    if (resolve(path) === resolve(file)) return output;
  }
  throw new Error(`esbuild reported no output ${file}`);
}

function packagesOf(inputs: Record<string, unknown>): string[] {
  const names = new Set<string>();
  for (const path of Object.keys(inputs)) {
    const match = path.match(/node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/g)?.at(-1);
    if (match) names.add(match.replace(/^node_modules[\\/]/, '').replace(/\\/g, '/'));
  }
  return [...names].sort();
}
