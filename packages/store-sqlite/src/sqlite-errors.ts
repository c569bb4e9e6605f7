import { ThrottledError } from '@baton/core';
import Database from 'better-sqlite3';

/**
 * Another connection (often another process) held the write lock past the busy timeout. Retrying
 * later can succeed, so it becomes the retryable ThrottledError instead of an opaque SqliteError.
 */
export function translateSqliteError(error: unknown): unknown {
  if (error instanceof Database.SqliteError && /^SQLITE_(BUSY|LOCKED)/.test(error.code)) {
    return new ThrottledError(`the SQLite file is locked by another writer (${error.code}); retry`, error);
  }
  return error;
}
