import type { SessionRef } from '@baton/core';
import Database from 'better-sqlite3';

/**
 * Writes rows as an older (or newer) Baton would have, bypassing SqliteStore's validation. Only the
 * key columns are taken from the records; the JSON goes in exactly as given.
 */
export function writeRawRows(
  path: string,
  fixture: { ref: SessionRef; head: unknown; events: unknown[] },
): void {
  const db = new Database(path, { timeout: 5000 });
  try {
    const { tenant, sessionId } = fixture.ref;
    const head = fixture.head as { version: number; seq: number; status: string; updatedAt: number };
    db.transaction(() => {
      db.prepare(
        `INSERT INTO heads (tenant, session_id, version, seq, status, updated_at, record)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        tenant,
        sessionId,
        head.version,
        head.seq,
        head.status,
        head.updatedAt,
        JSON.stringify(fixture.head),
      );
      const insertEvent = db.prepare(
        'INSERT INTO events (tenant, session_id, seq, record) VALUES (?, ?, ?, ?)',
      );
      for (const event of fixture.events) {
        insertEvent.run(tenant, sessionId, (event as { seq: number }).seq, JSON.stringify(event));
      }
    }).immediate();
  } finally {
    db.close();
  }
}
