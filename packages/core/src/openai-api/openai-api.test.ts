import { DeltaGate, reply, StreamingScriptedModel, testApp } from '@baton/testing';
import { describe, expect, it, vi } from 'vitest';
import { defineAgent } from '../agent.js';
import { defineBaton } from '../app/define-baton.js';
import { sessionRef } from '../session-ref.js';
import { parseResponseId, responseId } from './response-id.js';

describe('response ids', () => {
  it('name the session and the position, for the tenant that made them only', () => {
    const ref = sessionRef('acme', 'chat/1 ü');
    const id = responseId({ ref, seq: 42 });
    expect(id).toMatch(/^resp_42_[0-9a-f]{8}_[A-Za-z0-9_-]+$/);
    expect(parseResponseId('acme', id, 'previous_response_id')).toEqual({ ref, seq: 42 });
    for (const [tenant, other] of [
      ['globex', id],
      ['acme', 'resp_x'],
      ['acme', `${id}!`],
      ['acme', id.replace(/_[^_]+$/, '_')],
    ] as const) {
      expect(() => parseResponseId(tenant, other, 'previous_response_id')).toThrow(
        expect.objectContaining({ status: 404, code: 'response_not_found' }),
      );
    }
  });
});

describe('a response whose run outlives the request', () => {
  it('is in_progress when answered; GET /v1/responses/{id}?stream=true follows it live, and GET has it completed', async () => {
    const gate = new DeltaGate();
    const model = new StreamingScriptedModel(() => reply('A slow and careful answer.'), {
      pace: () => gate.next(),
    });
    const agent = defineAgent({ name: 'slow', instructions: 'Answer.', model });
    const { app } = testApp(defineBaton({ agents: [agent] }), { model });
    const post = (body: object) =>
      app.fetch(
        new Request('http://localhost/v1/responses', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }),
        { waitMs: 0, deadline: Date.now() + 600_000 },
      );
    const answered = (await (await post({ model: 'slow', input: 'take your time' })).json()) as {
      id: string;
      status: string;
      output: unknown[];
      conversation: { id: string };
    };
    expect(answered).toMatchObject({ status: 'in_progress', output: [] });
    // Streamed again while the run goes on: from the response's start, then live, to the end.
    const streamed = await app.fetch(new Request(`http://localhost/v1/responses/${answered.id}?stream=true`));
    expect(streamed.headers.get('content-type')).toBe('text/event-stream');
    gate.open();
    const events = (await streamed.text())
      .split('\n\n')
      .flatMap((frame) => frame.split('\n').filter((line) => line.startsWith('data: ')))
      .map((line) => JSON.parse(line.slice(6)) as { type: string; delta?: string; sequence_number: number });
    expect(events[0]!.type).toBe('response.created');
    expect(events.at(-1)!.type).toBe('response.completed');
    const deltas = events.filter((event) => event.type === 'response.output_text.delta');
    expect(deltas.map((event) => event.delta).join('')).toBe('A slow and careful answer.');
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, i) => i));
    const get = async () =>
      (await (await app.fetch(new Request(`http://localhost/v1/responses/${answered.id}`))).json()) as {
        status: string;
        output_text: string;
      };
    const done = await vi.waitFor(
      async () => {
        const current = await get();
        if (current.status !== 'completed') throw new Error(current.status);
        return current;
      },
      { timeout: 10_000, interval: 10 },
    );
    expect(done.output_text).toBe('A slow and careful answer.');
    // Continuing it is the same session.
    const next = (await (
      await post({ model: 'slow', input: 'again', previous_response_id: answered.id })
    ).json()) as {
      conversation: { id: string };
    };
    expect(next.conversation.id).toBe(answered.conversation.id);
  });
});
