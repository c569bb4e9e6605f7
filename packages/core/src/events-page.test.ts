import { reply, ScriptedModel } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { defineAgent } from './agent.js';
import { createBatonApp } from './app/create-app.js';
import { defineBaton } from './app/define-baton.js';
import type { SessionEvent } from './events.js';
import { EVENT_RESPONSE_MAX_BYTES, EVENTS_PAGE_BYTES, eventResponseBytes } from './events-page.js';
import { silentLogger } from './logger.js';
import { MemoryStore } from './memory-store.js';

const MB = 1024 * 1024;
/** Lambda's limit on a synchronous response (its result JSON). */
const LAMBDA_RESPONSE_LIMIT = 6 * MB;

/** An app on the in-memory store whose model answers each message with one reply of `bytes` characters. */
function appAnswering(sizes: number[]) {
  const model = new ScriptedModel(sizes.map((bytes, index) => reply(`${index}`.repeat(bytes))));
  const definition = defineBaton({ agents: [defineAgent({ name: 'helper', instructions: 'Help.', model })] });
  return createBatonApp(definition, {
    store: new MemoryStore({ maxEventBytes: 16 * MB }),
    queue: { enqueue: async () => {} },
    env: {},
    logger: silentLogger,
  });
}

type App = ReturnType<typeof appAnswering>;

async function converse(app: App, turns: number): Promise<void> {
  for (let turn = 0; turn < turns; turn++) {
    const response = await app.fetch(
      new Request('http://baton/sessions/s1/messages', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: `turn ${turn}` }),
      }),
      // Time for the whole run: it never hands over to the queue for lack of it.
      { deadline: Date.now() + 10 * 60_000 },
    );
    expect(response.status).toBe(200);
  }
}

interface Page {
  events: SessionEvent[];
  next?: { after: number; path: string };
}

async function get(app: App, path: string): Promise<{ status: number; text: string }> {
  const response = await app.fetch(new Request(`http://baton${path}`));
  return { status: response.status, text: await response.text() };
}

describe('GET /sessions/{id}/events', () => {
  it('pages 3 MB events by bytes, each page inside Lambda’s limit, and following next reads them all once', async () => {
    const app = appAnswering([3 * MB, 3 * MB, 3 * MB]);
    await converse(app, 3);
    const all = await app.baton.store.readEvents({ tenant: 'default', sessionId: 's1' });
    const seen: number[] = [];
    let path: string | undefined = '/sessions/s1/events?limit=1000';
    let pages = 0;
    while (path) {
      const { status, text } = await get(app, path);
      expect(status).toBe(200);
      // The body as Lambda carries it: escaped once more inside the result JSON.
      expect(Buffer.byteLength(JSON.stringify(text))).toBeLessThan(EVENTS_PAGE_BYTES + 64 * 1024);
      const page = JSON.parse(text) as Page;
      expect(page.events.length).toBeGreaterThan(0);
      seen.push(...page.events.map((event) => event.seq));
      if (page.next) expect(page.next.after).toBe(page.events.at(-1)!.seq);
      path = page.next?.path;
      pages++;
    }
    expect(seen).toEqual(all.map((event) => event.seq));
    expect(pages).toBeGreaterThanOrEqual(3);
  });

  it('still pages by count, with next, and answers the last page without next', async () => {
    const app = appAnswering([10, 10]);
    await converse(app, 2);
    const first = JSON.parse((await get(app, '/sessions/s1/events?limit=2')).text) as Page;
    expect(first.events.map((event) => event.seq)).toEqual([1, 2]);
    expect(first.next).toEqual({ after: 2, path: '/sessions/s1/events?after=2&limit=2' });
    const rest = JSON.parse((await get(app, '/sessions/s1/events?after=2')).text) as Page;
    expect(rest.events.length).toBeGreaterThan(0);
    expect(rest.next).toBeUndefined();
  });

  it('returns one event larger than the page budget alone when it fits a response', async () => {
    const app = appAnswering([4.5 * MB]);
    await converse(app, 1);
    const page = JSON.parse((await get(app, '/sessions/s1/events?after=1')).text) as Page;
    expect(page.events).toHaveLength(1);
    expect(eventResponseBytes(page.events[0]!)).toBeGreaterThan(EVENTS_PAGE_BYTES);
    expect(page.next?.after).toBe(2);
  });

  it('refuses an event no response can carry with an error naming it and how to read or skip it', async () => {
    const app = appAnswering([7 * MB]);
    await converse(app, 1);
    const all = await app.baton.store.readEvents({ tenant: 'default', sessionId: 's1' });
    const big = all.find((event) => eventResponseBytes(event) > EVENT_RESPONSE_MAX_BYTES)!;
    // The events before it come back, with next pointing at it.
    const before = JSON.parse((await get(app, '/sessions/s1/events')).text) as Page;
    expect(before.events.map((event) => event.seq)).toEqual(
      all.slice(0, big.seq - 1).map((event) => event.seq),
    );
    expect(before.next?.after).toBe(big.seq - 1);
    const { status, text } = await get(app, before.next!.path);
    expect(status).toBe(422);
    expect(Buffer.byteLength(text)).toBeLessThan(LAMBDA_RESPONSE_LIMIT);
    const { error } = JSON.parse(text) as { error: { code: string; message: string; details: object } };
    expect(error.code).toBe('event_too_large_for_response');
    expect(error.message).toMatch(
      new RegExp(`^event ${big.seq} of session s1 takes \\d+ bytes, more than one response carries`),
    );
    expect(error.message).toContain(`baton sessions events s1 --json --after ${big.seq - 1} --limit 1`);
    expect(error.details).toMatchObject({
      seq: big.seq,
      limit: EVENT_RESPONSE_MAX_BYTES,
      skip: `/sessions/s1/events?after=${big.seq}&limit=1`,
    });
  });

  it('counts quotes and newlines twice, as they travel escaped inside a Lambda result', () => {
    const event = {
      v: 2,
      seq: 1,
      at: 0,
      kind: 'input',
      text: '"'.repeat(1000),
      source: 'http',
    } as SessionEvent;
    expect(eventResponseBytes(event)).toBeGreaterThan(4000);
  });
});
