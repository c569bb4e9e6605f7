import { CorruptRecordError } from '../errors.js';
import { jsonBytes } from '../json.js';
import type { LiveSnapshot } from './live-store.js';

/**
 * The largest live snapshot a store keeps, in JSON bytes: 256 KiB. It fits one DynamoDB item
 * (400 KB, with the keys and attribute names) with room to spare, and is far more than a client
 * needs to catch up between two polls; every store applies it, so all behave alike.
 */
export const LIVE_SNAPSHOT_MAX_BYTES = 256 * 1024;

type ToolCall = LiveSnapshot['toolCalls'][number];

/**
 * The snapshot cut to fit `maxBytes` of JSON: `text` keeps its beginning, then each tool call's
 * `arguments` theirs, in order (a tool call that does not fit at all is left out). A prefix of what
 * was streamed is still a true "streamed so far": a reader shows less until the step commits, and
 * the committed model_response carries the whole answer. Returns the snapshot itself when it fits.
 *
 * @example
 *   const stored = fitLiveSnapshot({ afterSeq: 4, runId, text: longText, toolCalls: [], updatedAt, expiresAt });
 *   jsonBytes(stored) <= LIVE_SNAPSHOT_MAX_BYTES; // true; longText.startsWith(stored.text) too
 */
export function fitLiveSnapshot(snapshot: LiveSnapshot, maxBytes = LIVE_SNAPSHOT_MAX_BYTES): LiveSnapshot {
  if (jsonBytes(snapshot) <= maxBytes) return snapshot;
  // Everything but the streamed strings, which are then added back while they fit.
  const shell: LiveSnapshot = { ...snapshot, text: '', toolCalls: [] };
  // `room` is what may still be added: the shell holds the quotes of `text`, `bare` those of a call.
  let room = maxBytes - jsonBytes(shell);
  const text = prefixWithin(snapshot.text, room + 2);
  room -= jsonBytes(text) - 2;
  const toolCalls: ToolCall[] = [];
  for (const call of snapshot.toolCalls) {
    const empty = { ...call, arguments: '' };
    // The call's own JSON plus the comma between calls.
    const bare = jsonBytes(empty) + (toolCalls.length > 0 ? 1 : 0);
    if (bare > room) break;
    const args = prefixWithin(call.arguments, room - bare + 2);
    toolCalls.push({ ...empty, arguments: args });
    room -= bare + jsonBytes(args) - 2;
    if (args !== call.arguments) break;
  }
  return { ...shell, text, toolCalls };
}

/** The longest prefix of `value` whose JSON string (quotes included) takes at most `bytes`. */
function prefixWithin(value: string, bytes: number): string {
  if (bytes < 2) return '';
  if (jsonBytes(value) <= bytes) return value;
  let low = 0;
  let high = value.length;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (jsonBytes(value.slice(0, middle)) <= bytes) low = middle;
    else high = middle - 1;
  }
  // Never end between the two halves of a surrogate pair.
  const last = value.charCodeAt(low - 1);
  return value.slice(0, last >= 0xd800 && last <= 0xdbff ? low - 1 : low);
}

/**
 * A stored live snapshot checked field by field, so a damaged record fails with CorruptRecordError
 * rather than reaching a client.
 *
 * @example
 *   const snapshot = parseLiveSnapshot(JSON.parse(row.record));
 */
export function parseLiveSnapshot(value: unknown): LiveSnapshot {
  const record = value as Partial<LiveSnapshot> | null;
  const numbers = ['afterSeq', 'updatedAt', 'expiresAt'] as const;
  const valid =
    typeof record === 'object' &&
    record !== null &&
    numbers.every((field) => typeof record[field] === 'number') &&
    typeof record.runId === 'string' &&
    typeof record.text === 'string' &&
    Array.isArray(record.toolCalls) &&
    record.toolCalls.every(
      (call: Partial<ToolCall> | null) =>
        typeof call?.callId === 'string' &&
        typeof call.name === 'string' &&
        typeof call.arguments === 'string',
    );
  if (!valid) throw new CorruptRecordError('live snapshot', 'fields are missing or of the wrong type');
  const { afterSeq, runId, text, toolCalls, updatedAt, expiresAt } = record as LiveSnapshot;
  return {
    afterSeq,
    runId,
    text,
    toolCalls: toolCalls.map(({ callId, name, arguments: args }) => ({ callId, name, arguments: args })),
    updatedAt,
    expiresAt,
  };
}
