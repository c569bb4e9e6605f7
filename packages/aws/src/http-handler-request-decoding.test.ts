import { reply, ScriptedModel } from '@baton/testing';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createHttpHandler } from './http-handler.js';
import { fixture, httpEvent } from './test-support/fixtures.js';
import { setup } from './test-support/http-handler-setup.js';
import { lambdaContext } from './test-support/lambda-context.js';
import { testApp } from './test-support/test-baton.js';

describe('createHttpHandler', () => {
  it('decodes a base64 body when a Function URL sends one', async () => {
    const { invoke, model } = setup([reply('got it')]);
    const response = await invoke(fixture('function-url'));
    expect(response.statusCode).toBe(200);
    expect(model.calls[0]?.messages).toEqual([{ role: 'user', content: 'hello from a function URL' }]);
  });

  it('answers 400 when the body is not JSON', async () => {
    const { post, model } = setup([]);
    const response = await post('/sessions/chat-1/messages', '{"text": "unterminated');
    expect(response.statusCode).toBe(400);
    expect(response.json.error.code).toBe('invalid_json');
    expect(model.calls).toHaveLength(0);
  });

  it('answers 400 naming the field when a field has the wrong type', async () => {
    const { post, get } = setup([]);
    const response = await post('/sessions/chat-1/messages', { text: 42 });
    expect(response.statusCode).toBe(400);
    expect(response.json.error).toMatchObject({ code: 'invalid_input', details: { field: 'text' } });
    expect((await post('/sessions/chat-1/messages', [1, 2])).statusCode).toBe(400);
    expect((await get('/sessions', 'limit=many')).statusCode).toBe(400);
    expect((await get('/sessions/chat-1')).statusCode).toBe(404);
  });

  it('answers 413 when the body is larger than the limit, base64 or not', async () => {
    const { post, invoke } = setup([], {}, { maxBodyBytes: 1_024 });
    const text = 'x'.repeat(2_000);
    const plain = await post('/sessions/chat-1/messages', { text });
    expect(plain.statusCode).toBe(413);
    expect(plain.json.error.code).toBe('payload_too_large');
    const encoded = await invoke(
      httpEvent('function-url', {
        method: 'POST',
        path: '/sessions/chat-1/messages',
        body: { text },
        base64: true,
      }),
    );
    expect(encoded.statusCode).toBe(413);
  });

  it('answers 400 when a base64 body is not base64, and 400 invalid_encoding when its bytes are not UTF-8', async () => {
    const { invoke } = setup([]);
    const notBase64 = { ...fixture<APIGatewayProxyEventV2>('function-url'), body: '%%%not base64%%%' };
    expect((await invoke(notBase64)).json.error.code).toBe('invalid_body_encoding');
    const notUtf8 = {
      ...fixture<APIGatewayProxyEventV2>('function-url'),
      body: Buffer.from([0xff, 0xfe, 0x7b]).toString('base64'),
    };
    const response = await invoke(notUtf8);
    expect(response.statusCode).toBe(400);
    expect(response.json.error.code).toBe('invalid_encoding');
  });

  it('answers 400 when the event is not an HTTP API payload 2.0 event', async () => {
    const { invoke } = setup([]);
    const restApiEvent = {
      resource: '/{proxy+}',
      path: '/healthz',
      httpMethod: 'GET',
      headers: {},
      body: null,
    };
    const response = await invoke(restApiEvent);
    expect(response.statusCode).toBe(400);
    expect(response.json.error.code).toBe('unsupported_event');
    expect((await invoke(null)).statusCode).toBe(400);
  });

  it('answers below 500 when methods, paths and bodies are arbitrary', async () => {
    const model = new ScriptedModel(() => reply('ok'));
    const { app, clock } = testApp({ model });
    const handler = createHttpHandler(app, { safetyMarginMs: 1_000 });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'DELETE', 'PUT'),
        fc.string(),
        fc.oneof(fc.string(), fc.json()),
        async (method, path, body) => {
          const event = httpEvent('http-api-v2', {
            method,
            path: `/sessions/${path}`,
            body,
            arrivedAt: clock.now(),
          });
          const result = (await handler(
            event,
            lambdaContext({ clock, budgetMs: 20_000 }),
          )) as APIGatewayProxyStructuredResultV2;
          expect(result.statusCode).toBeLessThan(500);
          expect(() => JSON.parse(String(result.body))).not.toThrow();
        },
      ),
      { numRuns: 200 },
    );
  });
});
