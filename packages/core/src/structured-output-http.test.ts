import { reply } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { kit } from '../test/kit.js';
import { type HttpRequest, handleHttp } from './http-routes.js';

function post(path: string, body: unknown, headers: Record<string, string> = {}): HttpRequest {
  return {
    method: 'POST',
    path,
    query: new URLSearchParams(),
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

const order = {
  name: 'order_status',
  schema: {
    type: 'object',
    properties: { orderId: { type: 'string' }, shipped: { type: 'boolean' } },
    required: ['orderId', 'shipped'],
    additionalProperties: false,
  },
};

describe('POST /sessions/{id}/messages with output', () => {
  it('answers with the validated output, records the schema and shows it on GET /sessions/{id}', async () => {
    const t = kit([reply('{"orderId":"42","shipped":true}')]);

    const response = await handleHttp(
      t.baton,
      post('/sessions/s1/messages', { text: 'order 42?', output: order }),
      {
        deadline: t.later(),
      },
    );

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      state: 'finished',
      reply: '{"orderId":"42","shipped":true}',
      output: { orderId: '42', shipped: true },
    });
    expect(t.model.calls[0]!.output).toEqual(order);
    const [input] = await t.store.readEvents({ tenant: 'default', sessionId: 's1' });
    expect(input).toMatchObject({ kind: 'input', output: order });
    const view = await handleHttp(
      t.baton,
      { ...post('/sessions/s1', {}), method: 'GET', body: undefined },
      { deadline: t.later() },
    );
    expect(view.body).toMatchObject({ session: { lastOutput: { orderId: '42', shipped: true } } });
  });

  it.each([
    [{ schema: 'not an object' }, 'output.schema must be a JSON Schema object'],
    [[], 'output must be an object'],
    [{ schema: { type: 'array', items: { type: 'string' } } }, 'must describe a JSON object at its root'],
    [
      { schema: { type: 'object', properties: { a: { type: 'nope' } } } },
      'not a JSON Schema Baton can check',
    ],
    [{ schema: { type: 'object' }, name: 'a b' }, 'output.name must be 1-64'],
    [{ schema: { type: 'object', description: 'x'.repeat(17_000) } }, 'the limit is 16384'],
    [
      { schema: { type: 'object', properties: { id: { type: 'string', pattern: '^(a+)+$' } } } },
      'output.schema uses "pattern"',
    ],
    [
      { schema: { type: 'object', patternProperties: { '^x': { type: 'string' } } } },
      'uses "patternProperties"',
    ],
  ])('answers 400 and writes nothing for output %j', async (output, message) => {
    const t = kit([]);

    const response = await handleHttp(t.baton, post('/sessions/s1/messages', { text: 'hi', output }), {
      deadline: t.later(),
    });

    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      error: { code: 'invalid_input', message: expect.stringContaining(message) },
    });
    expect(await t.store.readHead({ tenant: 'default', sessionId: 's1' })).toBeNull();
    expect(t.model.calls).toHaveLength(0);
  });

  it('treats the same Idempotency-Key with another schema as a different request', async () => {
    const t = kit([reply('{"orderId":"1","shipped":false}')]);
    const key = { 'idempotency-key': 'k-1' };
    const first = await handleHttp(
      t.baton,
      post('/sessions/s1/messages', { text: 'x', output: order }, key),
      {
        deadline: t.later(),
      },
    );
    expect(first.status).toBe(200);

    const other = { ...order, schema: { ...order.schema, required: ['orderId'] } };
    const second = await handleHttp(
      t.baton,
      post('/sessions/s1/messages', { text: 'x', output: other }, key),
      {
        deadline: t.later(),
      },
    );

    expect(second.status).toBe(422);
  });
});
