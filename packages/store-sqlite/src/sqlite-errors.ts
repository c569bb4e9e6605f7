import { CorruptRecordError, ThrottledError } from '@baton/core';
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

/** JSON.parse of a stored row, failing with core's CorruptRecordError instead of a bare SyntaxError. */
export function parseStoredJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CorruptRecordError('record', `its JSON does not parse (${(error as Error).message})`);
  }
}
