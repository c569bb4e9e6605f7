import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigurationError } from '@baton/core';
import { initFiles } from './init-templates.js';

/**
 * `baton init [dir]`: a new project with one agent, one tool, its test and a deploy config. Refuses
 * to write into a folder that already has files, so it never overwrites a user's work.
 *
 * @example
 * const { dir, files } = await initProject({ cwd: process.cwd(), dir: 'my-agent' });
 */
export async function initProject(options: {
  cwd: string;
  dir?: string;
}): Promise<{ dir: string; files: string[] }> {
  const dir = resolve(options.cwd, options.dir ?? '.');
  if (existsSync(dir) && (await readdir(dir)).some((name) => !name.startsWith('.'))) {
    throw new ConfigurationError(`${dir} is not empty: baton init writes a new project into an empty folder`);
  }
  const name =
    basename(dir)
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'my-agent';
  const files = initFiles(name, await versions());
  await mkdir(dir, { recursive: true });
  for (const [file, content] of Object.entries(files)) await writeFile(join(dir, file), content);
  return { dir, files: Object.keys(files) };
}

/** Baton's own version for the @baton packages, and the zod and vitest ranges it is tested with. */
async function versions(): Promise<{ baton: string; zod: string; vitest: string }> {
  const own = JSON.parse(
    await readFile(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8'),
  ) as {
    version: string;
  };
  return { baton: `^${own.version}`, zod: '^4.1.0', vitest: '^4.0.0' };
}
