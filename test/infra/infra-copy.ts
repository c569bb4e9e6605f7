import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
export const INFRA_DIR = resolve(REPO_ROOT, 'infra');
const COPIES_DIR = resolve(import.meta.dirname, '../../node_modules/.cache/baton-infra-copies');

const copies: string[] = [];

/** Deletes the copies mismatchedCopy made (call it in afterAll). */
export function removeCopies(): void {
  for (const dir of copies.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/**
 * A copy of infra/ in a temporary folder with one file edited: the deliberately mismatched side of
 * a contract test. Returns the copied folder. Fails when the edit changes nothing, so a test never
 * passes because its search text went stale.
 *
 * @example
 * const dir = mismatchedCopy('aws.ts', "hashKey: 'pk'", "hashKey: 'id'");
 */
export function mismatchedCopy(file: string, search: string, replacement: string): string {
  // Inside the repository, so the copy resolves workspace packages (@baton/core) as infra/ does.
  mkdirSync(COPIES_DIR, { recursive: true });
  const dir = mkdtempSync(join(COPIES_DIR, 'infra-'));
  copies.push(dir);
  cpSync(INFRA_DIR, dir, { recursive: true });
  const path = join(dir, file);
  const original = readFileSync(path, 'utf8');
  if (!original.includes(search)) throw new Error(`${file} does not contain ${JSON.stringify(search)}`);
  writeFileSync(path, original.replace(search, replacement));
  return dir;
}

/** infra/settings.ts of a folder (the real one or a copy). */
export async function settingsOf(dir: string): Promise<typeof import('../../infra/settings.js')> {
  return import(pathToFileURL(join(dir, 'settings.ts')).href);
}

/** A deploy environment that sets every optional setting infra copies, so each shows up as declared. */
export function everySetting(names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.map((name) => [name, `sample-${name.toLowerCase()}`]));
}

/**
 * A bundle folder holding the named files (empty): what `npx baton build` would have written, for
 * infra to find. Removed by removeCopies.
 *
 * @example
 * const dir = bundleFolder(['http.mjs', 'worker.mjs', 'sweeper.mjs']);
 */
export function bundleFolder(files: readonly string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bundle-'));
  copies.push(dir);
  for (const file of files) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), '');
  }
  return dir;
}
