import Database from 'better-sqlite3';

/** What went into SQLite through one connection: statements that write and the bytes they bound. */
export interface SqliteMeter {
  writeStatements: number;
  bytes: number;
  reads: number;
}

/**
 * Opens a SQLite file the way Baton's own store does (WAL, default synchronous) and counts every
 * statement that writes and the bytes of the values bound to it. The peers that keep their state
 * in SQLite are measured through this one meter, so their bytes are comparable with each other.
 */
export function meteredDatabase(path: string): { db: Database.Database; meter: SqliteMeter } {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  const meter: SqliteMeter = { writeStatements: 0, bytes: 0, reads: 0 };
  const prepare = db.prepare.bind(db);
  // better-sqlite3 statements are native objects: wrap their run/get/all rather than subclassing.
  db.prepare = ((source: string) => {
    const statement = prepare(source);
    if (statement.reader) {
      for (const method of ['get', 'all', 'iterate'] as const) {
        const original = statement[method].bind(statement) as (...args: unknown[]) => unknown;
        (statement as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
          meter.reads++;
          return original(...args);
        };
      }
      return statement;
    }
    const run = statement.run.bind(statement) as (...args: unknown[]) => Database.RunResult;
    (statement as unknown as { run: unknown }).run = (...args: unknown[]) => {
      meter.writeStatements++;
      meter.bytes += boundBytes(args);
      return run(...args);
    };
    return statement;
  }) as typeof db.prepare;
  return { db, meter };
}

function boundBytes(values: unknown[]): number {
  let bytes = 0;
  for (const value of values) {
    if (typeof value === 'string') bytes += Buffer.byteLength(value, 'utf8');
    else if (value instanceof Uint8Array) bytes += value.byteLength;
    else if (typeof value === 'number' || typeof value === 'bigint') bytes += 8;
    else if (value && typeof value === 'object') bytes += boundBytes(Object.values(value));
  }
  return bytes;
}
