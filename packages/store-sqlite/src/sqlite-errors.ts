import {
  BatonError,
  CorruptRecordError,
  StoreCorruptError,
  StoreFullError,
  StoreItemTooLargeError,
  StoreReadOnlyError,
  StoreUnavailableError,
  ThrottledError,
} from '@baton/core';
import Database from 'better-sqlite3';

/** What to do about a damaged file, said the same way at open and at run time. */
export const CORRUPT_ADVICE =
  'stop every Baton process using it, then restore it from a backup or move it aside (with its -wal and -shm files) to start with an empty store';

/**
 * A SQLite failure as core's typed error, so HTTP answers with a specific code and queue adapters know
 * whether a retry can help. `file` names the file in the message; leave it out of errors an HTTP
 * client may see. Errors that are not SQLite's pass through.
 */
export function translateSqliteError(error: unknown, file?: string): unknown {
  if (!(error instanceof Database.SqliteError)) return error;
  const code = error.code;
  const store = file === undefined ? 'the SQLite store file' : `the SQLite store ${file}`;
  const reason = `${code}: ${oneLine(error.message)}`;
  // Another connection (often another process) held the write lock past the busy timeout, or
  // another connection is recovering the WAL: retrying later can succeed.
  if (/^SQLITE_(BUSY|LOCKED)/.test(code) || code === 'SQLITE_READONLY_RECOVERY') {
    return new ThrottledError(`the SQLite file is locked by another writer (${code}); retry`, error);
  }
  if (/^SQLITE_(CORRUPT|NOTADB)/.test(code)) {
    return new StoreCorruptError(`${store} is corrupt (${reason}): ${CORRUPT_ADVICE}`, error);
  }
  // SQLite reports a write that failed for want of space (ENOSPC, or max_page_count) as SQLITE_FULL.
  if (code === 'SQLITE_FULL') {
    return new StoreFullError(
      `${store} cannot grow: the disk is full (${reason}); free space on its disk, nothing was written`,
      error,
    );
  }
  if (code.startsWith('SQLITE_READONLY')) {
    return new StoreReadOnlyError(
      `${store} is read-only (${reason}): make the file, its folder and its -wal and -shm files writable by Baton`,
      error,
    );
  }
  if (code.startsWith('SQLITE_CANTOPEN')) {
    return new StoreUnavailableError(
      `cannot open ${store} (${reason}): check that the path is a file in a folder Baton may write to`,
      error,
    );
  }
  if (code === 'SQLITE_TOOBIG') {
    return new StoreItemTooLargeError(`a record is over SQLite's size limit (${reason})`, error);
  }
  // A read or write the operating system failed: the transaction was rolled back, and the disk
  // may recover (a network file system, a device reset), so a later retry may succeed.
  if (code.startsWith('SQLITE_IOERR')) {
    return new StoreUnavailableError(
      `${store} could not be read or written (${reason}); check its disk`,
      error,
    );
  }
  // Anything else still says it is SQLite's and keeps today's verdict: a retry may help.
  return new BatonError('store_error', `SQLite failed (${reason})`, {
    retryable: true,
    status: 500,
    cause: error,
    details: { sqliteCode: code },
  });
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** JSON.parse of a stored row, failing with core's CorruptRecordError instead of a bare SyntaxError. */
export function parseStoredJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CorruptRecordError('record', `its JSON does not parse (${(error as Error).message})`);
  }
}
