import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * A short hash of a built folder's files. The Azure package blob is named after it: a new name is a
 * new WEBSITE_RUN_FROM_PACKAGE URL, which restarts the app on the new code (a blob replaced under
 * the same URL keeps serving the old code until something restarts the app).
 *
 * @example
 * const version = folderHash('dist/azure'); // '3f9c2a1b7d4e'
 */
export function folderHash(folder: string): string {
  const hash = createHash('sha256');
  const files = readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
  for (const file of files) {
    hash.update(relative(folder, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 12);
}
