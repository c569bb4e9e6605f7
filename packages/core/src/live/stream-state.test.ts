import { describe, expect, it } from 'vitest';
import type { SessionEvent } from '../events.js';
import type { LiveSnapshot } from './live-store.js';
import { formatStreamCursor, parseStreamCursor } from './stream-cursor.js';
import { type SseMessage, StreamState } from './stream-state.js';

const at = 0;
const input = (seq: number, text = 'hi'): SessionEvent => ({
  kind: 'input',
  text,
  source: 'http',
  v: 3,
  seq,
  at,
});
const response = (seq: number, text: string, calls = 0): SessionEvent => ({
  kind: 'model_response',
  text,
  toolCalls: Array.from({ length: calls }, (_, i) => ({
    callId: `c${i}`,
    name: 'look',
    arguments: '{"a":1}',
  })),
  usage: { inputTokens: 1, outputTokens: 1 },
  stopReason: calls ? 'tool_calls' : 'end',
  provider: 'p',
  model: 'm',
  latencyMs: 1,
  v: 3,
  seq,
  at,
});
const finished = (seq: number, text: string): SessionEvent => ({
  kind: 'run_finished',
  reason: 'completed',
  text,
  v: 3,
  seq,
  at,
});
const snapshot = (afterSeq: number, text: string): LiveSnapshot => ({
  afterSeq,
  runId: 'run-1',
  text,
  toolCalls: [],
  updatedAt: 0,
  expiresAt: 10,
});

/** The whole history as one uninterrupted client sees it: input 1, deltas, the answer at 2. */
function timeline(): ({ event: SessionEvent } | { snap: LiveSnapshot })[] {
  return [
    { event: input(1) },
    { snap: snapshot(1, 'Hel') },
    { snap: snapshot(1, 'Hello wor') },
    { event: input(2, 'meanwhile') },
    { snap: snapshot(1, 'Hello world, ') },
    { event: response(3, 'Hello world, again.', 1) },
    { event: finished(4, 'Hello world, again.') },
  ];
}

/** Feeds the timeline to a client that connects with `cursor` when the timeline is at entry `from`. */
function play(cursorText: string | null, from = 0): SseMessage[] {
  const state = new StreamState(cursorText === null ? { through: 0 } : parseStreamCursor(cursorText, 'test'));
  const out: SseMessage[] = [];
  // On reconnect the log so far is read at once; the snapshots before `from` are gone.
  const entries = timeline().filter((entry, index) => index >= from || 'event' in entry);
  for (const entry of entries) {
    if ('event' in entry) {
      if (entry.event.seq <= state.readAfter) continue;
      out.push(...state.committed(entry.event));
    } else {
      out.push(...state.live(entry.snap, 0));
    }
  }
  return out;
}

const deltas = (messages: SseMessage[]) =>
  messages
    .filter((message) => message.chunk.type === 'text-delta')
    .map((message) => message.chunk.delta as string);

describe('StreamState', () => {
  it('sends live deltas whose concatenation is the committed text', () => {
    const messages = play(null);
    expect(deltas(messages).join('')).toBe('Hello world, again.');
    expect(messages.map((message) => message.chunk.type)).toEqual([
      'start',
      'start-step',
      'text-start',
      'text-delta',
      'text-delta',
      'start',
      'text-delta',
      'text-delta',
      'text-end',
      'tool-input-available',
      'finish-step',
      'finish',
    ]);
  });

  it('resumes after every message exactly once, in order, wherever the client dropped', () => {
    const whole = play(null);
    for (let cut = 0; cut < whole.length; cut++) {
      const id = whole[cut]!.id;
      // The client reconnects later: from the entry of the timeline it had reached, or after the commit.
      for (const from of [0, 3, 5]) {
        const resumed = play(id, from);
        const seen = [...whole.slice(0, cut + 1), ...resumed];
        const types = seen.map((message) => message.chunk.type);
        expect(types.filter((type) => type === 'finish')).toHaveLength(1);
        expect(types.filter((type) => type === 'text-start')).toHaveLength(1);
        expect(types.filter((type) => type === 'start')).toHaveLength(2);
        expect(deltas(seen).join('')).toBe('Hello world, again.');
      }
    }
  });

  it('ignores a snapshot of a call a later event ended', () => {
    const state = new StreamState({ through: 0 });
    state.committed(input(1));
    state.committed(response(2, 'Done.'));
    expect(state.live(snapshot(1, 'Do'), 0)).toEqual([]);
    expect(state.live({ ...snapshot(2, 'Next'), expiresAt: 0 }, 5)).toEqual([]);
  });

  it('asks for the events between an old snapshot and the cursor before trusting it', () => {
    const state = new StreamState({ through: 5 });
    expect(state.historyNeeded(snapshot(3, 'x'))).toBe(3);
    state.learn(3, [response(4, 'x'), finished(5, 'x')]);
    expect(state.live(snapshot(3, 'xy'), 0)).toEqual([]);
  });
});

describe('stream cursors', () => {
  it('round-trip and refuse what no stream sent', () => {
    for (const text of ['7', '8.2', '7:s', '7:42'])
      expect(formatStreamCursor(parseStreamCursor(text, 'after'))).toBe(text);
    for (const text of ['', 'x', '-1', '7:', '7.x', '1:2:3']) {
      expect(() => parseStreamCursor(text, 'after')).toThrow(/after must be an event id/);
    }
  });
});
