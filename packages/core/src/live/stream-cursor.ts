import { ValidationError } from '../errors.js';

/**
 * Where a client is in a session's stream; every SSE message's `id:` is one, and a client that
 * reconnects with it (`Last-Event-ID` or `?after=`) gets exactly the messages after it.
 *
 * - `through`: the last committed event whose messages were sent.
 * - `chunk`: only its messages up to this index were (an event such as a model response becomes
 *   several messages); without it, all of them.
 * - `step`: of the model call in flight (the one that commits the next model response after
 *   `through`), `'start'` (its start-step) or the number of characters of its text sent (its
 *   start-step and text-start included).
 *
 * Written `<through>[.<chunk>][:<s|offset>]`: `7`, `8.2`, `7:s`, `7:42`.
 */
export interface StreamCursor {
  through: number;
  chunk?: number;
  step?: 'start' | number;
}

const CURSOR = /^(\d{1,15})(?:\.(\d{1,4}))?(?::(s|\d{1,9}))?$/;

/**
 * Reads a cursor; a malformed one is a 400 that names the field it came from.
 *
 * @example
 *   parseStreamCursor('7:42', 'Last-Event-ID'); // { through: 7, step: 42 }
 */
export function parseStreamCursor(text: string, field: string): StreamCursor {
  const match = CURSOR.exec(text.trim());
  if (!match) {
    throw new ValidationError(
      `${field} must be an event id this stream sent (like 7, 7.2, 7:s or 7:42), got ${JSON.stringify(text.slice(0, 40))}`,
      { field },
    );
  }
  const cursor: StreamCursor = { through: Number(match[1]) };
  if (match[2] !== undefined) cursor.chunk = Number(match[2]);
  if (match[3] !== undefined) cursor.step = match[3] === 's' ? 'start' : Number(match[3]);
  return cursor;
}

/**
 * Writes a cursor as an SSE id.
 *
 * @example
 *   formatStreamCursor({ through: 7, step: 42 }); // '7:42'
 */
export function formatStreamCursor(cursor: StreamCursor): string {
  const chunk = cursor.chunk === undefined ? '' : `.${cursor.chunk}`;
  const step = cursor.step === undefined ? '' : `:${cursor.step === 'start' ? 's' : cursor.step}`;
  return `${cursor.through}${chunk}${step}`;
}
