import { spawn } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';

/** A bundle ready for a cold start, or why there is none. */
export interface Bundle {
  id: string;
  file: string;
  bytes: number;
  gzipBytes: number;
  /** What a cold start loads (the entry and the chunks it imports statically); all of it when unsplit. */
  loadBytes: number;
  loadGzipBytes: number;
}

const HERE = new URL('.', import.meta.url).pathname;
export const REPO_ROOT = new URL('../..', import.meta.url).pathname;
/** Inside the repository, like dist/, so a bundle resolves what it leaves external from node_modules. */
export const OUT_DIR = join(REPO_ROOT, 'bench/results/cold');

/** The same esbuild settings `@baton/aws/build` uses for its Lambda bundles. */
const COMMON = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  minify: true,
  legalComments: 'none',
  logLevel: 'error',
  // The workspace packages' sources, as the bench runs them: never a stale (or missing) dist.
  conditions: ['@baton/source'] as string[],
  // CommonJS dependencies call require(); an ESM bundle has none unless it makes one.
  banner: {
    js: "import { createRequire as __benchCreateRequire } from 'node:module'; const require = __benchCreateRequire(import.meta.url);",
  },
} as const;

export function measure(id: string, file: string): Bundle {
  const content = readFileSync(file);
  const bytes = content.byteLength;
  const gzipBytes = gzipSync(content).byteLength;
  return { id, file, bytes, gzipBytes, loadBytes: bytes, loadGzipBytes: gzipBytes };
}

/**
 * A deployable handler split into chunks: every `.mjs` of its folder counts (what deploys, the
 * chunks loaded only by a first Slack request included), each gzipped on its own; and apart, the
 * load path, the files a cold start loads, read from the build's esbuild metafile (`meta`, its
 * paths relative to `workingDir`, the config's folder) with the build's own `loadPath`.
 */
export async function measureFolder(
  id: string,
  file: string,
  meta?: { metafile: string; workingDir: string },
): Promise<Bundle> {
  const all = sizes([file, ...chunkFiles(dirname(file))]);
  let load = all;
  if (meta) {
    const { loadPath } = await import('@baton/aws/build');
    const metafile = JSON.parse(readFileSync(meta.metafile, 'utf8')) as Metafile;
    load = sizes(loadPath(metafile, file, meta.workingDir));
  }
  return { id, file, ...all, loadBytes: load.bytes, loadGzipBytes: load.gzipBytes };
}

function sizes(files: readonly string[]): { bytes: number; gzipBytes: number } {
  let bytes = 0;
  let gzipBytes = 0;
  for (const path of files) {
    const content = readFileSync(path);
    bytes += content.byteLength;
    gzipBytes += gzipSync(content).byteLength;
  }
  return { bytes, gzipBytes };
}

function chunkFiles(dir: string): string[] {
  const chunks = join(dir, 'chunks');
  if (!existsSync(chunks)) return [];
  return readdirSync(chunks)
    .filter((name) => name.endsWith('.mjs'))
    .map((name) => join(chunks, name));
}

/**
 * The minimal handlers of the peers, the floor and Baton's in-memory handler, from
 * bench/cold-start/handlers. `forProfile`: not minified, with a source map, in a folder of its own,
 * so a CPU profile's lines name the modules.
 */
export async function buildBenchHandler(id: string, forProfile = false): Promise<Bundle> {
  const file = join(OUT_DIR, forProfile ? `${id}-profile` : id, 'index.mjs');
  await build({
    ...COMMON,
    ...(forProfile ? { minify: false, sourcemap: true } : {}),
    entryPoints: [join(HERE, 'handlers', `${id}.ts`)],
    outfile: file,
  });
  return measure(id, file);
}

/** This repository's app, as `npm run build:aws` and `build:azure` bundle it. */
const CONFIG = join(REPO_ROOT, 'baton.config.ts');
const PROVIDERS = ['@baton/model-openai'];

/** The Lambda handlers as the deployable build makes them, not minified (for a CPU profile). */
export async function buildAwsForProfile(configPath = CONFIG, name = 'profile-aws'): Promise<string> {
  const { buildAwsBundle } = await import('@baton/aws/build');
  const outDir = join(OUT_DIR, name);
  await buildAwsBundle({ configPath, outDir, providerPackages: PROVIDERS, minify: false });
  return outDir;
}

/** The Azure app as the deployable build makes it, not minified (for a CPU profile). */
export async function buildAzureForProfile(configPath = CONFIG, name = 'profile-azure'): Promise<string> {
  const { buildAzureApp } = await import('@baton/azure/build');
  const report = await buildAzureApp({
    configPath,
    outDir: join(OUT_DIR, name),
    providerPackages: PROVIDERS,
    minify: false,
    conditions: ['@baton/source'],
  });
  return report.main;
}

/** The script each cold-start process runs; bundled so it loads nothing but itself. */
export async function buildInvoker(): Promise<string> {
  const file = join(OUT_DIR, 'invoke.mjs');
  await build({ ...COMMON, entryPoints: [join(HERE, 'invoke-once.ts')], outfile: file });
  return file;
}

/**
 * The model a deployment's build environment names. `baton build` bundles only the model provider
 * packages the app needs in its environment; naming one here makes the bundles carry the OpenAI
 * adapter and SDK, as a deployment on OpenAI would, whatever the shell running the bench sets. The
 * cold-start processes still answer with the offline model (their BATON_MODEL_PROVIDER).
 */
export const BUILD_MODEL_ENV = { BATON_MODEL_PROVIDER: '', BATON_MODEL: 'openai:gpt-5-mini' };

/**
 * Runs one of the repository's build scripts (`npm run build:aws`, which bundles this repository's
 * baton.config.ts); resolves with its error output on failure.
 */
export function runBuildScript(script: string): Promise<string | null> {
  return runCommand('npm', ['run', '--silent', script]);
}

/**
 * `baton build aws|azure` from this repository's CLI (what `npm run build:aws` runs), on another
 * project's config: how a user's own project is bundled.
 */
export function runBatonBuild(
  target: 'aws' | 'azure',
  configPath: string,
  outDir: string,
): Promise<string | null> {
  const cli = join(REPO_ROOT, 'packages/dev/bin/baton.mjs');
  return runCommand(process.execPath, [cli, 'build', target, '--config', configPath, '--out', outDir]);
}

function runCommand(command: string, args: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    const output: string[] = [];
    const child = spawn(command, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, ...BUILD_MODEL_ENV },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.on('error', (error) => resolve(error.message));
    child.on('exit', (code) => resolve(code === 0 ? null : output.join('').trim() || `exit ${code}`));
  });
}

/**
 * A copy of the Azure app bundle beside a stand-in for `@azure/functions-core`, the module the
 * Functions host injects: it records the handlers `app.http()` registers, so a plain node
 * process can call the HTTP function the way the host would.
 */
export function azureAppWithStandInHost(appFile: string, name = 'azure-app'): string {
  const dir = join(OUT_DIR, name);
  const core = join(dir, 'node_modules/@azure/functions-core');
  mkdirSync(core, { recursive: true });
  writeFileSync(join(core, 'package.json'), '{"name":"@azure/functions-core","main":"index.js"}\n');
  writeFileSync(
    join(core, 'index.js'),
    `const registered = (globalThis.__benchAzureFunctions ??= new Map());
module.exports = {
  setProgrammingModel() {},
  getProgrammingModel() { return undefined; },
  registerFunction(metadata, handler) { registered.set(metadata.name, handler); return { dispose() {} }; },
  registerHook() { return { dispose() {} }; },
  log() {},
};
`,
  );
  const file = join(dir, 'app.mjs');
  copyFileSync(appFile, file);
  if (existsSync(`${appFile}.map`)) copyFileSync(`${appFile}.map`, `${file}.map`);
  // The chunks app.mjs imports, beside it as in the app folder.
  rmSync(join(dir, 'chunks'), { recursive: true, force: true });
  if (existsSync(join(dirname(appFile), 'chunks')))
    cpSync(join(dirname(appFile), 'chunks'), join(dir, 'chunks'), { recursive: true });
  return file;
}

export function exists(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
