import type { Baton } from './baton.js';
import { BatonError } from './errors.js';
import type { SessionEvent } from './events.js';
import type { JsonObject } from './json.js';
import type { SessionRef } from './session-ref.js';

/**
 * What the events of one page may add up to. Lambda refuses a synchronous response over 6 MB
 * (6,291,456 bytes of its result JSON, where the body is escaped once more); 4 MiB leaves room for
 * the headers and the rest of the result, and a base64 body would still fit (4/3 of it).
 */
export const EVENTS_PAGE_BYTES = 4 * 1024 * 1024;

/**
 * The most one event may take when it is alone on a page (past the budget): still inside Lambda's
 * 6 MB with the headers. A larger one cannot be answered over HTTP on every host.
 */
export const EVENT_RESPONSE_MAX_BYTES = 5.5 * 1024 * 1024;

/** Events read from the store at a time while a page fills, so a page of large events stops early. */
const READ_BATCH = 50;

export interface EventsPageOptions {
  /** Events with seq above this one. */
  after: number;
  /** At most this many events. */
  limit: number;
  pageBytes?: number;
  maxEventBytes?: number;
}

/**
 * What one event adds to a response body in the costliest way a host carries it: written as the
 * app writes bodies (JSON indented by two, the event two levels deep), then escaped once more as
 * the string inside Lambda's result. Plain text is its own size; quotes and newlines count twice.
 */
export function eventResponseBytes(event: SessionEvent): number {
  const text = `    ${JSON.stringify(event, null, 2).replaceAll('\n', '\n    ')},\n`;
  return Buffer.byteLength(JSON.stringify(text), 'utf8') - 2;
}

/**
 * The `GET /sessions/{id}/events` answer: events after `after`, at most `limit` of them and at most
 * `pageBytes` together (eventResponseBytes), always at least one when any is left. `next` says
 * where to continue (`after` and the path to ask) whenever the page stopped before the end: by
 * bytes, or full by count. An event too large for any response (over `maxEventBytes` on its own)
 * fails with `event_too_large_for_response`, naming it and how to read or skip it.
 *
 * @example
 * const page = await eventsPage(baton, ref, { after: 0, limit: 200 });
 * // { events: [...], next: { after: 57, path: '/sessions/s1/events?after=57&limit=200' } }
 */
export async function eventsPage(
  baton: Baton,
  ref: SessionRef,
  options: EventsPageOptions,
): Promise<JsonObject> {
  const pageBytes = options.pageBytes ?? EVENTS_PAGE_BYTES;
  const maxEventBytes = options.maxEventBytes ?? EVENT_RESPONSE_MAX_BYTES;
  const events: SessionEvent[] = [];
  let bytes = 0;
  let after = options.after;
  let stopped = false;
  // The first read goes through the engine, which answers 404 for a session that does not exist.
  let batch = await baton.events(ref, { afterSeq: after, limit: Math.min(options.limit, READ_BATCH) });
  while (!stopped) {
    for (const event of batch) {
      const size = eventResponseBytes(event);
      if (events.length === 0 && size > maxEventBytes) throw tooLarge(ref, event.seq, size, maxEventBytes);
      if (events.length > 0 && bytes + size > pageBytes) {
        stopped = true;
        break;
      }
      events.push(event);
      bytes += size;
      after = event.seq;
      if (events.length >= options.limit) {
        stopped = true;
        break;
      }
    }
    const wanted = Math.min(options.limit - events.length, READ_BATCH);
    if (stopped || batch.length === 0 || batch.length < READ_BATCH || wanted <= 0) break;
    batch = await baton.store.readEvents(ref, { afterSeq: after, limit: wanted });
  }
  const more = stopped || (events.length > 0 && events.length >= options.limit);
  return {
    events: events as unknown as JsonObject[],
    ...(more ? { next: { after, path: eventsPath(ref, after, options.limit) } } : {}),
  };
}

function eventsPath(ref: SessionRef, after: number, limit: number): string {
  return `/sessions/${encodeURIComponent(ref.sessionId)}/events?after=${after}&limit=${limit}`;
}

function tooLarge(ref: SessionRef, seq: number, bytes: number, limit: number): BatonError {
  return new BatonError(
    'event_too_large_for_response',
    `event ${seq} of session ${ref.sessionId} takes ${bytes} bytes, more than one response carries (${limit}): read it from the store with \`baton sessions events ${ref.sessionId} --json --after ${seq - 1} --limit 1\`, or skip it with after=${seq}`,
    {
      status: 422,
      details: { seq, bytes, limit, skip: eventsPath(ref, seq, 1) },
    },
  );
}
