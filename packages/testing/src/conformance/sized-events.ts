import { type EventBody, jsonBytes, SCHEMA_VERSION, type SessionEvent } from '@baton/core';

// Multi-byte characters (2, 3 and 4 bytes) and characters JSON escapes, so a store that splits a
// record at a byte offset or counts characters instead of bytes corrupts it visibly.
const PATTERN = 'Größe 世界 🚀 "q" \\ \n\t';

/**
 * Text of numbered segments: a store that reorders or repeats chunks of a split record cannot
 * produce the same string by accident.
 */
function numberedText(jsonByteBudget: number): string {
  const parts: string[] = [];
  let used = 0;
  for (let index = 0; ; index++) {
    const part = `${index.toString(36)}:${PATTERN}|`;
    const bytes = Buffer.byteLength(JSON.stringify(part)) - 2;
    if (used + bytes > jsonByteBudget) break;
    parts.push(part);
    used += bytes;
  }
  return parts.join('') + 'x'.repeat(jsonByteBudget - used);
}

/** An input event whose JSON form is exactly `bytes` bytes long. */
export function eventOfBytes(bytes: number, seq: number, at: number): SessionEvent {
  const empty: SessionEvent = { kind: 'input', text: '', source: 'conformance', v: SCHEMA_VERSION, seq, at };
  const budget = bytes - jsonBytes(empty);
  if (budget < 0) throw new RangeError(`an input event needs at least ${jsonBytes(empty)} bytes`);
  const event: SessionEvent = { ...empty, text: numberedText(budget) };
  const actual = jsonBytes(event);
  if (actual !== bytes) throw new Error(`sized event came out at ${actual} bytes instead of ${bytes}`);
  return event;
}

/** A tool result of about `bytes` JSON bytes whose output is structured data, not one long string. */
export function largeToolResult(bytes: number, callId: string): EventBody {
  const rows: { index: number; name: string; note: string; price: number; tags: string[] }[] = [];
  const body = (): EventBody => ({
    kind: 'tool_result',
    callId,
    name: 'export_rows',
    outcome: 'ok',
    output: { rows },
    durationMs: 412,
  });
  const rowBytes = jsonBytes({ index: 0, name: 'row-0-Ω', note: PATTERN, price: 0.5, tags: ['a', 'é'] }) + 1;
  const count = Math.ceil((bytes - jsonBytes(body())) / rowBytes);
  for (let index = 0; index < count; index++) {
    rows.push({ index, name: `row-${index}-Ω`, note: PATTERN, price: index / 4, tags: ['a', 'é'] });
  }
  return body();
}
