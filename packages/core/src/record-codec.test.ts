import { describe, expect, it } from 'vitest';
import { CorruptRecordError } from './errors.js';
import { type EventBody, type EventOf, SCHEMA_VERSION, type SessionEvent } from './events.js';
import { type Head, newHead } from './head.js';
import { type JsonObject, jsonBytes } from './json.js';
import { eventNeededBefore, parseEvent, parseEvents, parseHead } from './migrate.js';
import { commitRecords, eventRecords, headRecord } from './record-codec.js';

const AT = 1_767_225_600_000;

function numbered(bodies: EventBody[], first = 1): SessionEvent[] {
  return bodies.map(
    (body, index) => ({ ...body, v: SCHEMA_VERSION, seq: first + index, at: AT }) as SessionEvent,
  );
}

const reply = 'The northern region is still trending up.';

const turn = numbered([
  { kind: 'input', text: 'How is the north doing?', source: 'http', metadata: { text: 'kept', k: 1 } },
  {
    kind: 'model_response',
    text: '',
    toolCalls: [{ callId: 'call_1', name: 'figures', arguments: '{"region":"north"}' }],
    usage: { inputTokens: 400, outputTokens: 20, cachedInputTokens: 128 },
    stopReason: 'tool_calls',
    provider: 'openai',
    model: 'gpt-5-mini',
    latencyMs: 812,
    contextThrough: 1,
    providerState: { text: 'provider data is not renamed' },
  },
  { kind: 'tool_intent', callId: 'call_1', name: 'figures' },
  {
    kind: 'tool_result',
    callId: 'call_1',
    name: 'figures',
    outcome: 'ok',
    output: { kind: 'user data', text: 'as it was' },
    statePatch: { region: 'north' },
    durationMs: 31,
  },
  {
    kind: 'model_response',
    text: reply,
    toolCalls: [],
    usage: { inputTokens: 500, outputTokens: 80 },
    stopReason: 'end',
    provider: 'openai',
    model: 'gpt-5-mini',
    latencyMs: 1200,
    contextThrough: 4,
  },
  { kind: 'run_finished', reason: 'completed', text: reply },
]);

function busyHead(): Head {
  return {
    ...newHead('acme', 'support:C1', 'support', AT),
    version: 9,
    seq: 6,
    status: 'running',
    lease: { owner: 'run-1', expiresAt: AT + 15_000, epoch: 4 },
    leaseEpoch: 4,
    toolState: { region: 'north' },
    contextStart: 3,
    summarySeq: 2,
    lastInputSeq: 1,
    processedSeq: 5,
    runSteps: 2,
    usage: { inputTokens: 900, outputTokens: 100 },
    updatedAt: AT + 5,
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  };
}

describe('head records', () => {
  it('round-trips a new head and a busy one exactly', () => {
    for (const head of [newHead('acme', 's1', 'support', AT), busyHead()]) {
      expect(parseHead(JSON.parse(JSON.stringify(headRecord(head))))).toEqual(head);
    }
  });

  it('keeps a lease epoch that differs from the last one granted', () => {
    const head = { ...busyHead(), leaseEpoch: 5 };
    expect(parseHead(headRecord(head))).toEqual(head);
  });

  it('stores a new head in under a third of its long JSON, leaving defaults out', () => {
    const head = newHead('acme', 's1', 'support', AT);
    const record = headRecord(head);
    expect(record).not.toHaveProperty('l');
    expect(record).not.toHaveProperty('ts');
    expect(jsonBytes(record) * 3).toBeLessThan(jsonBytes(head));
  });

  it('reads long heads of schema v2 and long v3 heads (exports)', () => {
    const head = busyHead();
    expect(parseHead({ ...head, v: 2 })).toEqual(head);
    expect(parseHead(head)).toEqual(head);
  });
});

describe('event records', () => {
  it('round-trips a tool turn exactly, renaming none of the user data', () => {
    const records = JSON.parse(JSON.stringify(eventRecords(turn))) as unknown[];
    expect(parseEvents(records)).toEqual(turn);
    expect(records[3]).toMatchObject({ output: { kind: 'user data', text: 'as it was' } });
    expect(records[1]).toMatchObject({ providerState: { text: 'provider data is not renamed' } });
  });

  it('keeps a contextThrough short of the event before, and its absence', () => {
    const response = turn[4] as Extract<SessionEvent, { kind: 'model_response' }>;
    const { contextThrough: _through, ...unknown } = response;
    const lagging = { ...response, contextThrough: 2 };
    for (const event of [unknown, lagging, response] as SessionEvent[]) {
      expect(parseEvents(JSON.parse(JSON.stringify(eventRecords([event]))))).toEqual([event]);
    }
    expect(eventRecords([response])[0]).not.toHaveProperty('ct');
  });

  it('leaves out the reply a run_finished repeats, and takes it back from the response', () => {
    const records = eventRecords(turn);
    expect(records[5]).not.toHaveProperty('x');
    expect(jsonBytes(records[5])).toBeLessThan(80);
    expect(eventNeededBefore(records.slice(5))).toBe(5);
    expect(parseEvents(records.slice(5), turn[4])).toEqual(turn.slice(5));
    expect(() => parseEvents(records.slice(5))).toThrow(CorruptRecordError);
    expect(() => parseEvent(records[5])).toThrow(CorruptRecordError);
  });

  it('keeps the text of a run_finished whose response is not right before it in the commit', () => {
    const finished = turn[5]!;
    const alone = eventRecords([finished]);
    expect(alone[0]).toHaveProperty('x', reply);
    const failed = numbered([{ kind: 'run_finished', reason: 'failed', text: '' }], 9);
    expect(parseEvents(eventRecords(failed))).toEqual(failed);
  });

  it('keeps a structured output and a recorded output schema as user data, and still leaves out the repeated reply', () => {
    const json = '{"text":"north","kind":"up"}';
    const structured = numbered([
      {
        kind: 'input',
        text: 'Trend?',
        source: 'queue',
        output: { name: 'trend', schema: { type: 'object', properties: { text: { type: 'string' } } } },
      },
      { ...(turn[4] as EventOf<'model_response'>), text: json, contextThrough: 1 },
      { kind: 'run_finished', reason: 'completed', text: json, output: { text: 'north', kind: 'up' } },
    ]);
    const records = eventRecords(structured);
    expect(records[0]).toMatchObject({ output: (structured[0] as EventOf<'input'>).output as JsonObject });
    expect(records[2]).not.toHaveProperty('x');
    expect(records[2]).toMatchObject({ output: { text: 'north', kind: 'up' } });
    expect(parseEvents(records)).toEqual(structured);
    // A record without output is what it was before structured results: old readers see no change.
    expect(eventRecords(turn)[5]).not.toHaveProperty('output');
  });

  it('reads long events of schema v2, with and without a repeated reply', () => {
    const long = turn.map((event) => ({ ...event, v: 2 }));
    expect(parseEvents(long)).toEqual(turn);
    expect(eventNeededBefore(long.slice(5))).toBeNull();
  });

  it('counts the stored form in commitRecords', () => {
    const records = commitRecords({ head: busyHead(), events: turn });
    expect(records.events).toEqual(eventRecords(turn));
    expect(jsonBytes(records)).toBeLessThan(jsonBytes({ head: busyHead(), events: turn }) * 0.7);
  });
});
