import { describe, expect, it } from 'vitest';
import { CorruptRecordError } from '../errors.js';
import { jsonBytes } from '../json.js';
import { fitLiveSnapshot, LIVE_SNAPSHOT_MAX_BYTES, parseLiveSnapshot } from './live-snapshot-size.js';
import type { LiveSnapshot } from './live-store.js';

const base: LiveSnapshot = {
  afterSeq: 4,
  runId: 'run-1',
  text: '',
  toolCalls: [],
  updatedAt: 1_000,
  expiresAt: 61_000,
};

describe('fitLiveSnapshot', () => {
  it('returns a snapshot that fits as it is', () => {
    const snapshot = { ...base, text: 'Hello', toolCalls: [{ callId: 'c1', name: 'f', arguments: '{}' }] };
    expect(fitLiveSnapshot(snapshot)).toBe(snapshot);
  });

  it('keeps the longest prefix of the text that fits, to the byte, and drops the tool calls after it', () => {
    // Quotes and newlines take two bytes each in JSON, emoji four: the cut must count them all.
    const text = 'a"b\n😀é'.repeat(60_000);
    const snapshot = { ...base, text, toolCalls: [{ callId: 'c1', name: 'f', arguments: '{}' }] };
    for (const max of [LIVE_SNAPSHOT_MAX_BYTES, 1000, 1001, 1002, 1003]) {
      const fitted = fitLiveSnapshot(snapshot, max);
      expect(jsonBytes(fitted)).toBeLessThanOrEqual(max);
      expect(text.startsWith(fitted.text)).toBe(true);
      // One character more would not fit (or would split a surrogate pair).
      const longer = text.slice(0, fitted.text.length + 1);
      expect(jsonBytes({ ...fitted, text: longer }) > max || /[\uD800-\uDBFF]$/.test(longer)).toBe(true);
      expect(fitted.toolCalls).toEqual([]);
      expect({ ...fitted, text: '' }).toEqual({ ...base, text: '' });
    }
  });

  it('cuts the first tool call that does not fit and leaves out the rest', () => {
    const args = `{"q":"${'x'.repeat(5000)}"}`;
    const snapshot = {
      ...base,
      text: 'Looking it up',
      toolCalls: [
        { callId: 'c1', name: 'lookup', arguments: '{"q":"a"}' },
        { callId: 'c2', name: 'lookup', arguments: args },
        { callId: 'c3', name: 'lookup', arguments: '{}' },
      ],
    };
    const fitted = fitLiveSnapshot(snapshot, 2000);
    expect(jsonBytes(fitted)).toBeLessThanOrEqual(2000);
    expect(jsonBytes(fitted)).toBeGreaterThan(1990);
    expect(fitted.text).toBe('Looking it up');
    expect(fitted.toolCalls.map((call) => call.callId)).toEqual(['c1', 'c2']);
    expect(fitted.toolCalls[0]!.arguments).toBe('{"q":"a"}');
    expect(args.startsWith(fitted.toolCalls[1]!.arguments)).toBe(true);
  });
});

describe('parseLiveSnapshot', () => {
  it('returns exactly the contract fields of a stored snapshot', () => {
    const stored = {
      ...base,
      text: 'Hi',
      extra: 1,
      toolCalls: [{ callId: 'c', name: 'n', arguments: '', x: 2 }],
    };
    expect(parseLiveSnapshot(stored)).toEqual({
      ...base,
      text: 'Hi',
      toolCalls: [{ callId: 'c', name: 'n', arguments: '' }],
    });
  });

  it('fails with CorruptRecordError when a field is missing or of the wrong type', () => {
    for (const bad of [
      null,
      'text',
      { ...base, text: 3 },
      { ...base, runId: undefined },
      { ...base, toolCalls: [{}] },
    ]) {
      expect(() => parseLiveSnapshot(bad)).toThrow(CorruptRecordError);
    }
  });
});
