import type { SessionRef } from '@baton/core';
import { describe, expect, it } from 'vitest';
import { answer, appendEvents, createSession, input, listAll } from './fixtures.js';
import type { ConformanceContext } from './store-harness.js';

// Grapheme clusters, 4-byte characters, right-to-left text, a BOM and the separators JavaScript once
// treated as line ends: what a store that transcodes or counts characters would get wrong.
const UNICODE = 'e\u0301 👨‍👩‍👧 🇳🇴 مرحبا 你好 𝔘𝔫𝔦 \uFEFF \u2028\u2029 \u00A0 ß Ω';

/**
 * Ids that collide under common key encodings: URL encoding, replacing '/', case folding, prefix
 * matching, trimming, and Cosmos DB's ban on '/' and '\' in ids.
 */
const ODD_IDS = [
  'a/b',
  'a%2Fb',
  'a_b',
  'a\\b',
  'a#b',
  'a%23b',
  'a?b=c&d',
  'a b',
  'a+b',
  'a',
  'a/',
  'A/B',
  'a:b',
  `it's "quoted"`,
  '🚀 launch/ü',
  `long/${'é'.repeat(251)}`,
];

export function describeIdentityCases(ctx: ConformanceContext): void {
  describe('identity and encoding', () => {
    it('round-trips multi-byte unicode in events, tool state and dedupe records', async () => {
      const store = ctx.store();
      const ref = ctx.ref('unicode');
      const toolState = { 名前: UNICODE, 'a.b': ['👨‍👩‍👧', ''], 'with space': { ключ: 'значение' } };
      const created = await createSession(store, ref, ctx.clock, [input(UNICODE, { sender: 'Zoë 🦊' })], {
        patch: { toolState },
        dedupe: { dedupeKey: `dedupe-${UNICODE}`, result: { reply: UNICODE } },
      });
      const appended = await appendEvents(store, created.head, ctx.clock, [
        {
          kind: 'model_response',
          text: UNICODE,
          // Escaped and raw forms both stay exactly as the model sent them.
          toolCalls: [
            { callId: 'call_ü', name: 'translate', arguments: `{"text":"${UNICODE}","esc":"\\u00e9"}` },
          ],
          usage: { inputTokens: 10, outputTokens: 20 },
          stopReason: 'tool_calls',
          provider: 'scripted',
          model: 'scripted-1',
          latencyMs: 3,
        },
      ]);

      expect(await store.load(ref)).toEqual({
        head: appended.head,
        events: [...created.events, ...appended.events],
      });
      expect((await store.readHead(ref))?.toolState).toEqual(toolState);
      expect(await store.getDedupe(ref, `dedupe-${UNICODE}`)).toMatchObject({ result: { reply: UNICODE } });
    });

    it('keeps sessions with odd ids apart and returns their ids unchanged', async () => {
      const store = ctx.store();
      const tenant = ctx.tenant('odd-ids');
      const refs: SessionRef[] = ODD_IDS.map((sessionId) => ({ tenant, sessionId }));
      const neighbour: SessionRef = { tenant: ctx.tenant('odd-ids-other'), sessionId: 'a/b' };
      for (const ref of [...refs, neighbour]) {
        await createSession(store, ref, ctx.clock, [input(JSON.stringify(ref)), answer(ref.sessionId)], {
          dedupe: { dedupeKey: 'same-key', result: JSON.stringify(ref) },
        });
      }

      for (const ref of [...refs, neighbour]) {
        const loaded = await store.load(ref);
        expect(loaded?.head).toMatchObject({ tenant: ref.tenant, sessionId: ref.sessionId, seq: 2 });
        expect(loaded?.events.map((event) => (event.kind === 'input' ? event.text : event.seq))).toEqual([
          JSON.stringify(ref),
          2,
        ]);
        expect(await store.readEvents(ref)).toEqual(loaded?.events);
        expect(await store.getDedupe(ref, 'same-key')).toMatchObject({ result: JSON.stringify(ref) });
      }
      const listed = await listAll(store, { tenant, limit: 5 });
      expect(listed.map((head) => head.sessionId).sort()).toEqual([...ODD_IDS].sort());
    });

    it('keeps tenant and session id apart when a separator character appears in either', async () => {
      const store = ctx.store();
      const tenant = ctx.tenant('separators');
      // Each pair joins to the same string with a naive `${tenant}${separator}${sessionId}` key.
      const pairs = [':', '.', '_', '-'].map((separator): [SessionRef, SessionRef] => [
        { tenant: `${tenant}${separator}s`, sessionId: 'y' },
        { tenant, sessionId: `s${separator}y` },
      ]);
      for (const ref of pairs.flat()) {
        await createSession(store, ref, ctx.clock, [input(JSON.stringify(ref))]);
      }

      for (const ref of pairs.flat()) {
        expect(await store.readHead(ref)).toMatchObject({
          tenant: ref.tenant,
          sessionId: ref.sessionId,
          seq: 1,
        });
        expect(await store.readEvents(ref)).toEqual([expect.objectContaining({ text: JSON.stringify(ref) })]);
      }
      const listed = await listAll(store, { tenant });
      expect(listed.map((head) => head.sessionId).sort()).toEqual(
        pairs.map(([, own]) => own.sessionId).sort(),
      );
    });
  });
}
