import { SchemaVersionError, type SessionRef } from '@baton/core';
import { newHead } from '@baton/core/store';
import { describe, expect, it } from 'vitest';
import { appendEvents, input, listAll, rejection } from './fixtures.js';
import type { ConformanceContext } from './store-harness.js';

/** A head as Baton's schema v1 wrote it: no `summarySeq`, no `usage`. */
function headV1(ref: SessionRef, at: number): Record<string, unknown> {
  const {
    summarySeq: _summarySeq,
    usage: _usage,
    ...rest
  } = newHead(ref.tenant, ref.sessionId, 'legacy-agent', at);
  return { ...rest, v: 1, version: 4, seq: 3, lastInputSeq: 1, processedSeq: 3, toolState: { city: 'Oslo' } };
}

/** Events as schema v1 wrote them: a model response has no `latencyMs`. */
function eventsV1(at: number): Record<string, unknown>[] {
  return [
    { v: 1, seq: 1, at, kind: 'input', text: 'Weather in Oslo?', source: 'http' },
    {
      v: 1,
      seq: 2,
      at,
      kind: 'model_response',
      text: '',
      toolCalls: [{ callId: 'call_w', name: 'weather', arguments: '{"city":"Oslo"}' }],
      usage: { inputTokens: 50, outputTokens: 12 },
      stopReason: 'tool_calls',
      provider: 'openai',
      model: 'gpt-4o',
    },
    {
      v: 1,
      seq: 3,
      at,
      kind: 'tool_result',
      callId: 'call_w',
      name: 'weather',
      outcome: 'ok',
      output: { sky: 'clear' },
      durationMs: 20,
    },
  ];
}

export function describeSchemaCases(ctx: ConformanceContext): void {
  describe('schema versions', () => {
    it('loads a session written with schema v1 as v2 and accepts the next commit on it', async () => {
      const store = ctx.store();
      const tenant = ctx.tenant('schema-v1');
      const ref = ctx.ref('legacy', tenant);
      const at = ctx.clock.now();
      const head = headV1(ref, at);
      const events = eventsV1(at);
      await ctx.harness.writeRaw(store, { ref, head, events });

      const migratedHead = { ...head, v: 2, summarySeq: null, usage: { inputTokens: 0, outputTokens: 0 } };
      const migratedEvents = events.map((event) =>
        event.kind === 'model_response' ? { ...event, v: 2, latencyMs: 0 } : { ...event, v: 2 },
      );
      expect(await store.load(ref)).toEqual({ head: migratedHead, events: migratedEvents });
      expect(await store.readHead(ref)).toEqual(migratedHead);
      expect(await store.readEvents(ref, { afterSeq: 1 })).toEqual(migratedEvents.slice(1));
      expect(await listAll(store, { tenant })).toEqual([migratedHead]);

      const loaded = await store.load(ref);
      const next = await appendEvents(store, loaded!.head, ctx.clock, [input('And tomorrow?')]);
      expect(next.head).toMatchObject({ v: 2, version: 5, seq: 4 });
      expect(await store.load(ref)).toEqual({ head: next.head, events: [...migratedEvents, ...next.events] });
    });

    it('fails with SchemaVersionError when the head was written by a future version', async () => {
      const store = ctx.store();
      const ref = ctx.ref('future-head', ctx.tenant('schema-future'));
      const at = ctx.clock.now();
      const head = {
        ...newHead(ref.tenant, ref.sessionId, 'future-agent', at),
        v: 99,
        version: 1,
        hologram: { x: 1 },
      };
      await ctx.harness.writeRaw(store, { ref, head, events: [] });

      await rejection(store.readHead(ref), SchemaVersionError);
      await rejection(store.load(ref), SchemaVersionError);
    });

    it('fails with SchemaVersionError when an event was written by a future version', async () => {
      const store = ctx.store();
      const ref = ctx.ref('future-event', ctx.tenant('schema-future'));
      const at = ctx.clock.now();
      const head = {
        ...newHead(ref.tenant, ref.sessionId, 'agent', at),
        version: 2,
        seq: 2,
        lastInputSeq: 1,
      };
      const events = [
        { v: 2, seq: 1, at, kind: 'input', text: 'hi', source: 'http' },
        { v: 99, seq: 2, at, kind: 'model_response', text: 'from the future', teleport: true },
      ];
      await ctx.harness.writeRaw(store, { ref, head, events });

      await rejection(store.readEvents(ref), SchemaVersionError);
      await rejection(store.load(ref), SchemaVersionError);
    });

    // Found by the reliability suite (issue 7): a record damaged behind the store's back surfaced as
    // a bare ZodError, answered 500 "internal" and retried by queue adapters as if transient.
    it('fails with a corrupt_record error a retry cannot fix when a stored head has the wrong shape', async () => {
      const store = ctx.store();
      const ref = ctx.ref('tampered-head', ctx.tenant('schema-tampered'));
      const at = ctx.clock.now();
      const head = {
        ...newHead(ref.tenant, ref.sessionId, 'agent', at),
        version: 'seven',
        seq: 1,
        lastInputSeq: 1,
      };
      await ctx.harness.writeRaw(store, {
        ref,
        head,
        events: [{ v: 2, seq: 1, at, kind: 'input', text: 'hi', source: 'http' }],
      });

      expect(await failure(store.readHead(ref))).toMatchObject({ code: 'corrupt_record', retryable: false });
      expect(await failure(store.load(ref))).toMatchObject({ code: 'corrupt_record', retryable: false });
    });

    it('fails with a corrupt_record error a retry cannot fix when a stored event has an unknown kind', async () => {
      const store = ctx.store();
      const ref = ctx.ref('tampered-event', ctx.tenant('schema-tampered'));
      const at = ctx.clock.now();
      const head = {
        ...newHead(ref.tenant, ref.sessionId, 'agent', at),
        version: 2,
        seq: 1,
        lastInputSeq: 1,
      };
      await ctx.harness.writeRaw(store, {
        ref,
        head,
        events: [{ v: 2, seq: 1, at, kind: 'teleport', text: 'hi' }],
      });

      expect(await failure(store.readEvents(ref))).toMatchObject({
        code: 'corrupt_record',
        retryable: false,
      });
      expect(await failure(store.load(ref))).toMatchObject({ code: 'corrupt_record', retryable: false });
    });
  });
}

/** The error a read fails with (the read must fail). */
async function failure(read: Promise<unknown>): Promise<unknown> {
  return read.then(
    () => new Error('expected the read to fail, but it succeeded'),
    (error: unknown) => error,
  );
}
