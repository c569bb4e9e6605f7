import { readLog } from '@baton/console';
import {
  type Head,
  isBatonError,
  parseEvent,
  parseHead,
  type SessionEvent,
  type SessionRef,
  type SessionStore,
} from '@baton/core';

/**
 * The session export format, JSON Lines:
 *   line 1  header  {"format":"baton-session","version":1,"schemaVersion":2,"tenant","sessionId","events":N,"exportedAt","source"}
 *   line 2  the head, as the store holds it
 *   line 3+ every event in seq order, 1..head.seq, each as the store holds it
 * Head and events carry their own schema version (`v`) and are read back through core's parseHead
 * and parseEvent, so an export from an older Baton imports into a newer one.
 */
export const EXPORT_FORMAT = 'baton-session';
export const EXPORT_VERSION = 1;

export interface ExportHeader {
  format: typeof EXPORT_FORMAT;
  version: number;
  schemaVersion: number;
  tenant: string;
  sessionId: string;
  events: number;
  exportedAt: string;
  /** The store it came from, for the record (`sqlite`, `dynamodb`, `cosmos`). */
  source: string;
}

export interface SessionFile {
  header: ExportHeader;
  head: Head;
  events: SessionEvent[];
  /** The file line of each event, for errors found later (an event too large for the target store). */
  eventLines: number[];
}

/** A line that is not what the format says: nothing was written. */
export class ImportFormatError extends Error {
  override readonly name = 'ImportFormatError';
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(line > 0 ? `line ${line}: ${message}` : message);
  }
}

/**
 * Writes one session as the format above, reading the log in pages. The head is read first and
 * the export stops at its seq, so head and events agree even while the session keeps running.
 */
export async function exportSession(
  store: SessionStore,
  ref: SessionRef,
  write: (line: string) => void | Promise<void>,
  options: { source: string; pageSize?: number; onProgress?: (done: number, total: number) => void },
): Promise<{ head: Head; events: number } | null> {
  const head = await store.readHead(ref);
  if (!head) return null;
  const header: ExportHeader = {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    schemaVersion: head.v,
    tenant: head.tenant,
    sessionId: head.sessionId,
    events: head.seq,
    exportedAt: new Date().toISOString(),
    source: options.source,
  };
  await write(`${JSON.stringify(header)}\n`);
  await write(`${JSON.stringify(head)}\n`);
  let expected = 1;
  for await (const events of readLog(store, ref, {
    throughSeq: head.seq,
    ...(options.pageSize ? { pageSize: options.pageSize } : {}),
  })) {
    for (const event of events) {
      if (event.seq !== expected) {
        throw new Error(
          `the log of ${ref.sessionId} jumps from #${expected - 1} to #${event.seq} (expired by retention?); a partial log cannot be exported`,
        );
      }
      expected++;
      await write(`${JSON.stringify(event)}\n`);
    }
    options.onProgress?.(expected - 1, head.seq);
  }
  if (expected - 1 !== head.seq) {
    throw new Error(`the log of ${ref.sessionId} ends at #${expected - 1} but its head says #${head.seq}`);
  }
  return { head, events: head.seq };
}

function parseJson(text: string, line: number): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ImportFormatError(line, `not JSON (${(error as Error).message})`);
  }
}

function reason(error: unknown): string {
  if (isBatonError(error)) return error.message;
  const issues = (error as { issues?: { path: PropertyKey[]; message: string }[] }).issues;
  if (issues?.[0]) return `${issues[0].path.join('.') || 'record'}: ${issues[0].message}`;
  return (error as Error).message;
}

/**
 * Reads and checks a whole export before anything is written: the header, the head (parseHead),
 * every event (parseEvent), numbering 1..head.seq without gaps, and the count the header promised,
 * so a truncated file is refused too. Errors name the line.
 */
export async function readSessionFile(lines: AsyncIterable<string>): Promise<SessionFile> {
  let header: ExportHeader | undefined;
  let head: Head | undefined;
  const events: SessionEvent[] = [];
  const eventLines: number[] = [];
  let number = 0;
  for await (const text of lines) {
    number++;
    if (text.trim() === '') continue;
    const raw = parseJson(text, number);
    if (!header) {
      header = checkHeader(raw, number);
      continue;
    }
    if (!head) {
      try {
        head = parseHead(raw);
      } catch (error) {
        throw new ImportFormatError(number, `not a valid session head: ${reason(error)}`);
      }
      if (head.tenant !== header.tenant || head.sessionId !== header.sessionId) {
        throw new ImportFormatError(number, 'the head belongs to another session than the header names');
      }
      continue;
    }
    let event: SessionEvent;
    try {
      event = parseEvent(raw);
    } catch (error) {
      throw new ImportFormatError(number, `not a valid event: ${reason(error)}`);
    }
    if (event.seq !== events.length + 1) {
      throw new ImportFormatError(number, `expected event #${events.length + 1}, found #${event.seq}`);
    }
    events.push(event);
    eventLines.push(number);
  }
  if (!header) throw new ImportFormatError(0, 'the file is empty');
  if (!head) throw new ImportFormatError(number, 'the file ends before the session head');
  if (events.length !== header.events || events.length !== head.seq) {
    throw new ImportFormatError(
      number,
      `the file has ${events.length} events but its header says ${header.events} and its head #${head.seq} (truncated?)`,
    );
  }
  return { header, head, events, eventLines };
}

function checkHeader(raw: unknown, line: number): ExportHeader {
  const header = raw as Partial<ExportHeader> | null;
  if (header === null || typeof header !== 'object' || header.format !== EXPORT_FORMAT) {
    throw new ImportFormatError(
      line,
      `not a Baton session export (the first line must have "format": "${EXPORT_FORMAT}")`,
    );
  }
  if (!Number.isInteger(header.version) || (header.version as number) < 1) {
    throw new ImportFormatError(line, 'the header has no valid format version');
  }
  if ((header.version as number) > EXPORT_VERSION) {
    throw new ImportFormatError(
      line,
      `format version ${header.version} is newer than this Baton reads (${EXPORT_VERSION}); upgrade Baton`,
    );
  }
  if (typeof header.tenant !== 'string' || typeof header.sessionId !== 'string') {
    throw new ImportFormatError(line, 'the header must name the tenant and the sessionId');
  }
  if (!Number.isInteger(header.events) || (header.events as number) < 0) {
    throw new ImportFormatError(line, 'the header must give the number of events');
  }
  return header as ExportHeader;
}
