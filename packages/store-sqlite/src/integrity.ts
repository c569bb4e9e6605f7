import { statSync } from 'node:fs';
import { StoreCorruptError } from '@baton/core';
import type Database from 'better-sqlite3';
import { CORRUPT_ADVICE } from './sqlite-errors.js';

/**
 * Files up to this size (with their WAL) get a full `PRAGMA quick_check` at open. It reads every
 * page: about 10 ms per MB with the file in the page cache and 60 ms per MB from a cold disk (50 MB:
 * 0.5 s warm, 3 s cold), so a larger file gets the bounded check instead.
 */
export const DEFAULT_INTEGRITY_CHECK_MAX_BYTES = 16 * 1024 * 1024;

/**
 * The tables the bounded check reads, with their indexes: the ones every request starts from, all
 * small (one row per session or key, dedupe rows pruned after their window). Damage in the events
 * of a large file is found when they are read, as `store_corrupt`.
 */
const SMALL_TABLES = ['heads', 'dedupe', 'api_keys'];

/**
 * Refuses a damaged file before the store serves anything: SQLite has already read its header and
 * schema (a file that is not a database fails there, as SQLITE_NOTADB), this checks the b-tree pages.
 */
export function checkIntegrity(db: Database.Database, path: string, maxFullCheckBytes: number): void {
  const full = fileBytes(path) <= maxFullCheckBytes;
  const checks = full ? ['quick_check'] : SMALL_TABLES.map((table) => `quick_check(${table})`);
  for (const check of checks) {
    const rows = db.pragma(check) as { quick_check: string }[];
    const first = rows[0]?.quick_check ?? 'no answer';
    if (first === 'ok') continue;
    const more = rows.length > 1 ? ` (and ${rows.length - 1} more problems)` : '';
    throw new StoreCorruptError(
      `the SQLite store ${path} is corrupt (${check}: ${first.replace(/\s+/g, ' ').trim()}${more}): ${CORRUPT_ADVICE}`,
    );
  }
}

function fileBytes(path: string): number {
  const size = (file: string) => statSync(file, { throwIfNoEntry: false })?.size ?? 0;
  return size(path) + size(`${path}-wal`);
}
