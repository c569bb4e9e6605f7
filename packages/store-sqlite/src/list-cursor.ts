import { type Head, type ListPage, ValidationError } from '@baton/core';
import type { HeadListRow } from './statements.js';

/** Where a list page ended: the sort key of its last row (updatedAt desc, then tenant, session id). */
export interface ListPosition {
  updatedAt: number;
  tenant: string;
  sessionId: string;
}

/** Opaque to callers; a keyset position rather than an offset, so pages stay cheap however deep. */
export function encodeCursor(position: ListPosition): string {
  return Buffer.from(JSON.stringify([position.updatedAt, position.tenant, position.sessionId])).toString(
    'base64url',
  );
}

export function decodeCursor(cursor: string): ListPosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 3 ||
    typeof parsed[0] !== 'number' ||
    typeof parsed[1] !== 'string' ||
    typeof parsed[2] !== 'string'
  ) {
    throw new ValidationError('list cursor is not one this store returned', { field: 'cursor' });
  }
  return { updatedAt: parsed[0], tenant: parsed[1], sessionId: parsed[2] };
}

/** A page size from a query: a positive integer, `fallback` when absent. */
export function pageLimit(limit: number | undefined, fallback: number): number {
  const value = limit ?? fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new ValidationError('limit must be a positive integer', { field: 'limit' });
  }
  return value;
}

/** The bound parameters of a keyset query continuing after `after` (none on a first page). */
export function afterParameters(after: ListPosition | undefined): Record<string, unknown> {
  return { updatedAt: after?.updatedAt, afterTenant: after?.tenant, afterSessionId: after?.sessionId };
}

/**
 * A page from rows read with one row more than `limit`: that extra row shows whether another page
 * exists, so the last page has no cursor. The cursor is the last returned row's sort key.
 */
export function keysetPage(rows: HeadListRow[], limit: number, parse: (row: HeadListRow) => Head): ListPage {
  const page = rows.slice(0, limit);
  const sessions = page.map(parse);
  const last = page.at(-1);
  if (rows.length <= limit || !last) return { sessions };
  return {
    sessions,
    cursor: encodeCursor({ updatedAt: last.updated_at, tenant: last.tenant, sessionId: last.session_id }),
  };
}
