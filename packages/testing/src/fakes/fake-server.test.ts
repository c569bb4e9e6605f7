import { connect } from 'node:http2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeFrame, eventFrame } from './aws-event-stream.js';
import { type FakeServer, sendRaw, startFakeServer } from './fake-server.js';
import { isRawReply, Script } from './script.js';

let server: FakeServer;
const script = new Script<{ text: string }>();
beforeEach(async () => {
  server = await startFakeServer((request, response) => {
    const reply = script.next(request);
    if (isRawReply(reply)) sendRaw(response, reply.raw);
    else sendRaw(response, { status: 200, body: 'truncated' in reply ? '' : reply.text });
  });
});
afterEach(async () => {
  await server.close();
});

function http2Post(path: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const session = connect(server.url);
    session.once('error', reject);
    const stream = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/json' });
    let text = '';
    let status = 0;
    stream.on('response', (headers) => {
      status = Number(headers[':status']);
    });
    stream.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
    });
    stream.on('end', () => {
      session.close();
      resolve({ status, text });
    });
    stream.end(body);
  });
}

describe('startFakeServer', () => {
  it('records and answers a request when the client speaks HTTP/1.1', async () => {
    script.enqueue({ text: 'hello' });

    const response = await fetch(`${server.url}/v1/thing%20one?a=1`, { method: 'POST', body: '{"x":1}' });

    expect(await response.text()).toBe('hello');
    expect(server.requests[0]).toMatchObject({
      method: 'POST',
      path: '/v1/thing one',
      query: { a: '1' },
      body: { x: 1 },
      httpVersion: '1.1',
    });
  });

  it('records and answers a request when the client speaks cleartext HTTP/2', async () => {
    script.enqueue({ text: 'over h2' });

    const response = await http2Post('/model/m/converse', '{"y":2}');

    expect(response).toEqual({ status: 200, text: 'over h2' });
    expect(server.requests[0]).toMatchObject({
      path: '/model/m/converse',
      body: { y: 2 },
      httpVersion: '2.0',
    });
  });

  it('answers 500 naming the request when nothing is scripted', async () => {
    const response = await fetch(`${server.url}/unscripted`, { method: 'POST' });

    expect(response.status).toBe(500);
    expect(await response.text()).toContain('no scripted reply for POST /unscripted');
  });
});

describe('eventFrame', () => {
  it('encodes an event that the SDK codec decodes back when given a JSON payload', () => {
    expect(decodeFrame(eventFrame('chunk', { bytes: 'aGk=' }))).toEqual({
      headers: { ':message-type': 'event', ':event-type': 'chunk', ':content-type': 'application/json' },
      body: '{"bytes":"aGk="}',
    });
  });
});
