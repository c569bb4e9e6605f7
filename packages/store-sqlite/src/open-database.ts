import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ValidationError } from '@baton/core';
import Database from 'better-sqlite3';
import { checkIntegrity, DEFAULT_INTEGRITY_CHECK_MAX_BYTES } from './integrity.js';
import { prepareDatabase } from './schema.js';
import { translateSqliteError } from './sqlite-errors.js';

export interface OpenOptions {
  path?: string | undefined;
  database?: Database.Database | undefined;
  busyTimeoutMs: number;
  integrityCheckMaxBytes?: number | undefined;
}

/**
 * The store's connection, ready to serve: opened (unless the caller gave one), set up for several
 * processes, migrated, and for a file it opened, checked for damage. A file that cannot be opened or
 * is damaged fails here, with one line naming the file and what to do, so a host refuses to start.
 */
export function openDatabase(options: OpenOptions): Database.Database {
  const { path, database, busyTimeoutMs } = options;
  if (database) {
    try {
      prepareDatabase(database, busyTimeoutMs);
    } catch (error) {
      throw translateSqliteError(error);
    }
    return database;
  }
  if (!path) throw new ValidationError('SqliteStore needs a path (or an open database)', { field: 'path' });
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { timeout: busyTimeoutMs });
    prepareDatabase(db, busyTimeoutMs);
    if (path !== ':memory:') {
      checkIntegrity(db, path, options.integrityCheckMaxBytes ?? DEFAULT_INTEGRITY_CHECK_MAX_BYTES);
    }
    return db;
  } catch (error) {
    if (db?.open) db.close();
    throw translateSqliteError(error, path);
  }
}
