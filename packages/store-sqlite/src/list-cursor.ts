import { ValidationError } from '@baton/core';

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
