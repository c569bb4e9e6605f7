import { createExampleAgent, offlineDemoModel } from '@baton/example-agent';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleSlackHttp } from './slack-http.js';
import { APPROVE_ACTION } from './slack-messages.js';
import { type SlackHarness, startSlackHarness } from './testing/slack-harness.js';

const id = fc.stringMatching(/^[A-Z0-9]{1,12}$/);
const ts = fc
  .tuple(fc.integer({ min: 0, max: 9_999_999_999 }), fc.integer({ min: 0, max: 999_999 }))
  .map(([s, us]) => `${s}.${String(us).padStart(6, '0')}`);
const anything = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), id, ts);

/** Mostly the right value, sometimes anything at all. */
function mostly<T>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc.oneof({ arbitrary: valid, weight: 15 }, { arbitrary: anything, weight: 1 });
}

/** An object with one random key removed a quarter of the time. */
function dropSome(record: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<Record<string, unknown>> {
  return fc.tuple(record, fc.nat(), fc.nat({ max: 3 })).map(([value, index, drop]) => {
    const keys = Object.keys(value);
    if (drop > 0 || keys.length === 0) return value;
    const { [keys[index % keys.length]!]: _, ...rest } = value;
    return rest;
  });
}

/** Event-shaped objects whose fields are mostly right and sometimes wrong or missing. */
const eventLike = dropSome(
  fc.record({
    type: mostly(fc.constantFrom('app_mention', 'message', 'reaction_added')),
    channel: mostly(id),
    channel_type: mostly(fc.constantFrom('im', 'channel', 'mpim')),
    user: mostly(id),
    text: mostly(fc.string({ maxLength: 300 })),
    ts: mostly(ts),
    thread_ts: fc.option(ts, { nil: undefined, freq: 2 }),
    subtype: fc.option(
      fc.constantFrom('bot_message', 'message_changed', 'message_deleted', 'thread_broadcast', 'x'),
      { nil: undefined, freq: 2 },
    ),
    bot_id: fc.option(id, { nil: undefined, freq: 2 }),
    message: fc.option(fc.record({ text: fc.string(), user: id, ts }), { nil: undefined, freq: 2 }),
  }),
);

const envelopeLike = dropSome(
  fc.record({
    type: mostly(fc.constantFrom('event_callback', 'event_callback', 'url_verification', 'app_rate_limited')),
    team_id: mostly(id),
    enterprise_id: fc.option(id, { nil: undefined }),
    event_id: mostly(id),
    challenge: mostly(fc.string({ minLength: 1 })),
    authorizations: mostly(fc.array(fc.record({ user_id: id }), { maxLength: 2 })),
    event: mostly(eventLike),
  }),
);

const buttonValue = fc.record({
  v: mostly(fc.constant(1)),
  t: mostly(id),
  s: mostly(fc.string({ minLength: 1 })),
  c: mostly(fc.string({ minLength: 1 })),
});

const blockActionsLike = dropSome(
  fc.record({
    type: mostly(fc.constant('block_actions')),
    team: mostly(fc.record({ id })),
    enterprise: fc.option(fc.record({ id }), { nil: null }),
    user: mostly(fc.record({ id })),
    actions: mostly(
      fc.array(
        fc.record({
          action_id: mostly(fc.constantFrom(APPROVE_ACTION, 'other')),
          value: mostly(buttonValue.map((value) => JSON.stringify(value))),
        }),
        { minLength: 1, maxLength: 2 },
      ),
    ),
  }),
);

const commandLike = dropSome(
  fc.record({
    command: mostly(fc.constantFrom('/baton', 'bad')),
    text: mostly(
      fc.oneof(
        fc.string(),
        fc.constantFrom(
          'help',
          'reset',
          'reset https://acme.slack.com/archives/C1/p1767225600000100',
          'ask hi',
        ),
      ),
    ),
    team_id: mostly(id),
    channel_id: mostly(id),
    user_id: mostly(id),
    trigger_id: mostly(id),
  }),
);

function form(fields: Record<string, unknown>): string {
  return new URLSearchParams(
    Object.entries(fields).map(([key, value]): [string, string] => [key, String(value)]),
  ).toString();
}

const body = fc.oneof(
  fc.string(),
  fc.json(),
  envelopeLike.map((value) => JSON.stringify(value)),
  envelopeLike.map((value) => JSON.stringify(value)),
  blockActionsLike.map((payload) => form({ payload: JSON.stringify(payload) })),
  commandLike.map(form),
  fc.dictionary(fc.constantFrom('payload', 'command', 'ssl_check', 'text'), fc.string()).map(form),
);

describe('handleSlackHttp with random input', () => {
  let h: SlackHarness;

  beforeAll(async () => {
    h = await startSlackHarness({
      agents: [createExampleAgent(offlineDemoModel())],
      channel: { maxBodyBytes: 4096 },
    });
  });

  afterAll(async () => {
    await h.close();
  });

  it('answers 2xx or 4xx and never throws when signed bodies are random', async () => {
    await fc.assert(
      fc.asyncProperty(body, async (raw) => {
        const response = await h.request(raw);
        expect([200, 400, 403, 404, 409, 413]).toContain(response.status);
        expect(() => JSON.parse(response.body)).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });

  it('answers 401 or 413 and records nothing when random bodies are unsigned or wrongly signed', async () => {
    const before = await h.store.list({ limit: 500 });
    await fc.assert(
      fc.asyncProperty(
        body,
        fc.dictionary(
          fc.constantFrom('x-slack-signature', 'x-slack-request-timestamp', 'X-Slack-Signature'),
          fc.string(),
        ),
        async (raw, headers) => {
          const response = await handleSlackHttp(h.slack, { headers, rawBody: raw }, h.clock.now());
          expect([401, 413]).toContain(response.status);
        },
      ),
      { numRuns: 300 },
    );
    expect(await h.store.list({ limit: 500 })).toEqual(before);
  });
});
