import { ManualClock, reply, ScriptedModel } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { ArrayQueue } from '../test/kit.js';
import { defineAgent } from './agent.js';
import { createBaton } from './baton.js';
import { type HttpRequest, handleHttp } from './http-routes.js';
import { IdempotencyKeyReusedError, idempotencyHash } from './idempotency.js';
import { silentLogger } from './logger.js';
import { MemoryStore } from './memory-store.js';
import { sessionRef } from './session-ref.js';

/** Two agents answering "answer <n>" in call order, so a first answer is recognisable. */
function world() {
  const clock = new ManualClock();
  const store = new MemoryStore();
  const queue = new ArrayQueue();
  const model = new ScriptedModel((_request, index) => reply(`answer ${index + 1}`));
  const agents = ['helper', 'writer'].map((name) =>
    defineAgent({ name, instructions: 'test', model, limits: { compactAfterEvents: 0 } }),
  );
  const baton = createBaton({ store, agents, queue, clock, logger: silentLogger });
  const send = (path: string, body: unknown, key: string, tenant = 'acme') => {
    const request: HttpRequest = {
      method: 'POST',
      path,
      query: new URLSearchParams(),
      headers: { 'content-type': 'application/json', 'idempotency-key': key, 'x-baton-tenant': tenant },
      body: JSON.stringify(body),
    };
    return handleHttp(baton, request, { deadline: clock.now() + 600_000 });
  };
  const written = async () => ({
    events: (await store.load(sessionRef('acme', 's1')))?.events.length ?? 0,
    enqueued: queue.messages.length,
    modelCalls: model.calls.length,
  });
  return { baton, store, queue, model, send, written };
}

describe('Idempotency-Key on POST /sessions/{id}/messages', () => {
  it('gives the first answer to the same key with the same body', async () => {
    const w = world();
    const first = await w.send('/sessions/s1/messages', { text: 'hi' }, 'k1');
    const again = await w.send('/sessions/s1/messages', { text: 'hi' }, 'k1');
    expect(first.body).toMatchObject({ reply: 'answer 1', inputSeq: 1, duplicate: false });
    expect(again.body).toMatchObject({ reply: 'answer 1', inputSeq: 1, duplicate: true });
    expect(w.model.calls).toHaveLength(1);
  });

  it.each([
    ['a changed text', { text: 'hi!' }],
    ['an added agent', { text: 'hi', agent: 'helper' }],
    ['another agent', { text: 'hi', agent: 'writer' }],
    ['text with trailing space', { text: 'hi ' }],
  ])(
    'answers 422 idempotency_key_reused and writes nothing for the same key with %s',
    async (_case, changed) => {
      const w = world();
      await w.send('/sessions/s1/messages', { text: 'hi' }, 'k1');
      const before = await w.written();
      const reused = await w.send('/sessions/s1/messages', changed, 'k1');
      expect(reused.status).toBe(422);
      expect(reused.body).toEqual({
        error: { code: 'idempotency_key_reused', message: expect.any(String), retryable: false },
      });
      expect(JSON.stringify(reused.body)).not.toContain('answer 1');
      expect(await w.written()).toEqual(before);
      // The original request under that key still gets its first answer afterwards.
      const original = await w.send('/sessions/s1/messages', { text: 'hi' }, 'k1');
      expect(original.body).toMatchObject({ reply: 'answer 1', duplicate: true });
    },
  );

  it('treats the same key on another session of the tenant as a new request there (keys are per session)', async () => {
    const w = world();
    await w.send('/sessions/s1/messages', { text: 'hi' }, 'k1');
    const other = await w.send('/sessions/s2/messages', { text: 'hi' }, 'k1');
    expect(other.body).toMatchObject({ reply: 'answer 2', inputSeq: 1, duplicate: false });
    expect(other.body.session).toMatchObject({ sessionId: 's2' });
    // And a different body there is that session's first request, not a reuse of s1's key.
    const third = await w.send('/sessions/s3/messages', { text: 'something else' }, 'k1');
    expect(third.body).toMatchObject({ reply: 'answer 3', duplicate: false });
  });

  it('never answers with another tenant’s reply for the same key and session id', async () => {
    const w = world();
    await w.send('/sessions/s1/messages', { text: 'secret plan' }, 'k1', 'acme');
    const rival = await w.send('/sessions/s1/messages', { text: 'secret plan' }, 'k1', 'globex');
    expect(rival.body).toMatchObject({ reply: 'answer 2', inputSeq: 1, duplicate: false });
    expect(JSON.stringify(rival.body)).not.toContain('answer 1');
    const acme = await w.baton.events(sessionRef('acme', 's1'));
    expect(acme.filter((event) => event.kind === 'input')).toHaveLength(1);
  });

  it('keeps the first-answer behaviour for a dedupe record written without a hash', async () => {
    const w = world();
    // An input recorded before request hashes were stored: its dedupe record holds only the seq.
    await w.baton.submit(sessionRef('acme', 's1'), { text: 'hi', source: 'http', dedupeKey: 'http:old' });
    const later = await w.send('/sessions/s1/messages', { text: 'a different body' }, 'old');
    expect(later.status).toBe(202);
    expect(later.body).toMatchObject({ inputSeq: 1, duplicate: true });
    expect(w.model.calls).toHaveLength(0);
  });

  it('refuses the loser of two racing requests with one key and different bodies', async () => {
    const w = world();
    const ref = sessionRef('acme', 's1');
    const hash = (text: string) =>
      idempotencyHash({ method: 'POST', route: '/sessions/s1/messages', tenant: 'acme', body: { text } });
    const results = await Promise.allSettled(
      ['one', 'two'].map((text) =>
        w.baton.submit(ref, { text, source: 'http', dedupeKey: 'http:race', requestHash: hash(text) }),
      ),
    );
    const rejected = results.filter((result) => result.status === 'rejected');
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    expect((rejected[0] as PromiseRejectedResult).reason).toBeInstanceOf(IdempotencyKeyReusedError);
    const inputs = (await w.baton.events(ref)).filter((event) => event.kind === 'input');
    expect(inputs).toHaveLength(1);
  });
});

describe('idempotencyHash', () => {
  const base = { method: 'POST', route: '/sessions/s1/messages', tenant: 'acme', body: { text: 'hi' } };

  it('changes with the method, the route, the tenant and each body field', () => {
    const hash = idempotencyHash(base);
    expect(idempotencyHash({ ...base, method: 'post' })).toBe(hash);
    expect(idempotencyHash({ ...base, body: { text: 'hi', agent: undefined } })).toBe(hash);
    for (const changed of [
      { ...base, method: 'PUT' },
      { ...base, route: '/sessions/s2/messages' },
      { ...base, tenant: 'globex' },
      { ...base, body: { text: 'hi', agent: 'helper' } },
      { ...base, body: { text: 'Hi' } },
    ]) {
      expect(idempotencyHash(changed)).not.toBe(hash);
    }
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('cannot be fooled by moving text from one field into the next', () => {
    const a = idempotencyHash({ ...base, tenant: 'acme', body: { text: 'x","y' } });
    const b = idempotencyHash({ ...base, tenant: 'acme","x', body: { text: 'y' } });
    const c = idempotencyHash({ ...base, body: { agent: 'ab', text: 'c' } });
    const d = idempotencyHash({ ...base, body: { agent: 'a', text: 'bc' } });
    expect(a).not.toBe(b);
    expect(c).not.toBe(d);
  });
});
