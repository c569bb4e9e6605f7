import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BatonDefinition, ConfigurationError, isBatonDefinition } from '@baton/core';

/** The names `baton` looks for in the project folder, in this order. */
export const CONFIG_NAMES = ['baton.config.ts', 'baton.config.mts', 'baton.config.js', 'baton.config.mjs'];

/**
 * The project's `baton.config.*`: the given path, else the first of CONFIG_NAMES in `cwd`.
 * A missing file is a one-line ConfigurationError that says how to make one.
 *
 * @example
 * const path = findConfig(process.cwd()); // /home/me/my-agent/baton.config.ts
 */
export function findConfig(cwd: string, explicit?: string): string {
  if (explicit) {
    const path = resolve(cwd, explicit);
    if (!existsSync(path)) throw new ConfigurationError(`no config file at ${path}`);
    return path;
  }
  for (const name of CONFIG_NAMES) {
    const path = join(cwd, name);
    if (existsSync(path)) return path;
  }
  throw new ConfigurationError(
    `no baton.config.ts in ${cwd}: run \`npx baton init\` to make a project, or pass --config <file>`,
  );
}

/**
 * Loads a config file and returns its default export, checked to be a `defineBaton(...)` value.
 * TypeScript is compiled with esbuild into `.baton/` beside the config (plain Node runs the result);
 * packages stay external, so `@baton/*` and the user's dependencies resolve from the project's
 * node_modules exactly as they will in the deployed bundle.
 *
 * @example
 * const definition = await loadDefinition('/home/me/my-agent/baton.config.ts');
 */
export async function loadDefinition(configPath: string): Promise<BatonDefinition> {
  const runnable = /\.m?js$/.test(configPath) ? configPath : await compileConfig(configPath);
  let loaded: { default?: unknown };
  try {
    loaded = (await import(pathToFileURL(runnable).href)) as { default?: unknown };
  } catch (error) {
    if (error instanceof ConfigurationError) throw error;
    throw new ConfigurationError(`${basename(configPath)} failed to load: ${firstLine(error)}`);
  }
  if (!isBatonDefinition(loaded.default)) {
    throw new ConfigurationError(
      `${basename(configPath)} must \`export default defineBaton({ agents: [...] })\` (from @baton/core)`,
    );
  }
  return loaded.default;
}

async function compileConfig(configPath: string): Promise<string> {
  const { build } = await import('esbuild');
  const source = await readFile(configPath);
  const hash = createHash('sha256').update(configPath).update(source).digest('hex').slice(0, 12);
  const outDir = join(dirname(configPath), '.baton', 'config');
  const outFile = join(outDir, `${basename(configPath).replace(/\.m?ts$/, '')}.${hash}.mjs`);
  await mkdir(outDir, { recursive: true });
  try {
    await build({
      entryPoints: [configPath],
      outfile: outFile,
      bundle: true,
      packages: 'external',
      platform: 'node',
      format: 'esm',
      target: 'node20',
      sourcemap: 'inline',
      logLevel: 'silent',
    });
  } catch (error) {
    throw new ConfigurationError(`${basename(configPath)} does not compile: ${firstLine(error)}`);
  }
  await writeFile(join(outDir, '.gitignore'), '*\n');
  return outFile;
}

function firstLine(error: unknown): string {
  // esbuild's own message starts with "Build failed with 1 error:"; the first error says what and where.
  const first = (
    error as { errors?: { text: string; location?: { file: string; line: number; column: number } | null }[] }
  ).errors?.[0];
  if (first) {
    const where = first.location
      ? `${first.location.file}:${first.location.line}:${first.location.column}: `
      : '';
    return `${where}${first.text}`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n').find((line) => line.trim() !== '') ?? message;
}
