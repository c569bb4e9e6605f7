import { SCHEMA_VERSION, SchemaVersionError, type SessionRef } from '@baton/core';
import { newHead } from '@baton/core/store';
import { describe, expect, it } from 'vitest';
import { answer, appendEvents, createSession, input, listAll, rejection } from './fixtures.js';
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
    it('loads a session written with schema v1 as the current schema and accepts the next commit on it', async () => {
      const store = ctx.store();
      const tenant = ctx.tenant('schema-v1');
      const ref = ctx.ref('legacy', tenant);
      const at = ctx.clock.now();
      const head = headV1(ref, at);
      const events = eventsV1(at);
      await ctx.harness.writeRaw(store, { ref, head, events });

      const v = SCHEMA_VERSION;
      const migratedHead = { ...head, v, summarySeq: null, usage: { inputTokens: 0, outputTokens: 0 } };
      const migratedEvents = events.map((event) =>
        event.kind === 'model_response' ? { ...event, v, latencyMs: 0 } : { ...event, v },
      );
      expect(await store.load(ref)).toEqual({ head: migratedHead, events: migratedEvents });
      expect(await store.readHead(ref)).toEqual(migratedHead);
      expect(await store.readEvents(ref, { afterSeq: 1 })).toEqual(migratedEvents.slice(1));
      expect(await listAll(store, { tenant })).toEqual([migratedHead]);

      const loaded = await store.load(ref);
      const next = await appendEvents(store, loaded!.head, ctx.clock, [input('And tomorrow?')]);
      expect(next.head).toMatchObject({ v: SCHEMA_VERSION, version: 5, seq: 4 });
      expect(await store.load(ref)).toEqual({ head: next.head, events: [...migratedEvents, ...next.events] });
    });

    it('loads a session written with schema v2 (long records, run_finished repeating the reply)', async () => {
      const store = ctx.store();
      const tenant = ctx.tenant('schema-v2');
      const ref = ctx.ref('legacy', tenant);
      const at = ctx.clock.now();
      const lease = { owner: 'worker-1', expiresAt: at + 60_000, epoch: 3 };
      const head = {
        ...newHead(ref.tenant, ref.sessionId, 'legacy-agent', at),
        v: 2,
        version: 6,
        seq: 5,
        status: 'running',
        lease,
        leaseEpoch: 3,
        lastInputSeq: 1,
        processedSeq: 1,
        runSteps: 2,
        usage: { inputTokens: 90, outputTokens: 20 },
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      };
      const events = [
        ...eventsV1(at).map((event) =>
          event.kind === 'model_response'
            ? { ...event, v: 2, latencyMs: 12, contextThrough: 1 }
            : { ...event, v: 2 },
        ),
        {
          v: 2,
          seq: 4,
          at,
          kind: 'model_response',
          text: 'Clear skies.',
          toolCalls: [],
          usage: { inputTokens: 40, outputTokens: 8 },
          stopReason: 'end',
          provider: 'openai',
          model: 'gpt-4o',
          latencyMs: 9,
          contextThrough: 3,
        },
        { v: 2, seq: 5, at, kind: 'run_finished', reason: 'completed', text: 'Clear skies.' },
      ];
      await ctx.harness.writeRaw(store, { ref, head, events });

      const current = <T extends object>(record: T) => ({ ...record, v: SCHEMA_VERSION });
      expect(await store.load(ref)).toEqual({ head: current(head), events: events.map(current) });
      expect(await store.readEvents(ref, { afterSeq: 4 })).toEqual([current(events[4]!)]);
      expect(await listAll(store, { tenant })).toEqual([current(head)]);

      const loaded = await store.load(ref);
      const next = await appendEvents(store, loaded!.head, ctx.clock, [input('And tomorrow?')]);
      expect(await store.load(ref)).toEqual({
        head: next.head,
        events: [...events.map(current), ...next.events],
      });
    });

    it('gives back the reply of a run_finished that repeats its model response, wherever a read starts', async () => {
      const store = ctx.store();
      const ref = ctx.ref('reply', ctx.tenant('schema-reply'));
      const created = await createSession(store, ref, ctx.clock, [input('Weather?')]);
      const reply = 'Clear skies 🌤';
      const finished = await appendEvents(store, created.head, ctx.clock, [
        answer(reply),
        { kind: 'run_finished', reason: 'completed', text: reply },
      ]);
      const events = [...created.events, ...finished.events];
      expect(await store.readEvents(ref, { afterSeq: 2 })).toEqual(events.slice(2));
      expect(await store.readEvents(ref, { afterSeq: 2, limit: 1 })).toEqual(events.slice(2));
      expect(await store.readEvents(ref, { afterSeq: 1, limit: 1 })).toEqual(events.slice(1, 2));
      expect(await store.load(ref)).toEqual({ head: finished.head, events });
      // A live context that starts at the run_finished (after a summary through the response).
      const moved = await appendEvents(store, finished.head, ctx.clock, [], { patch: { contextStart: 3 } });
      expect(await store.load(ref)).toEqual({ head: moved.head, events: events.slice(2) });
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
