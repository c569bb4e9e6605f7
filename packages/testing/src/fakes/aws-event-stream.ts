// The codec that the AWS SDK itself uses to decode event streams (it ships inside @smithy/core), so
// the frames, header encoding and CRCs are exactly what a real service sends.
import { EventStreamCodec } from '@smithy/core/event-streams';

const codec = new EventStreamCodec(
  (bytes) => Buffer.from(bytes as Uint8Array).toString('utf8'),
  (text) => new Uint8Array(Buffer.from(text, 'utf8')),
);

/** Content type of an AWS event-stream HTTP response. */
export const EVENT_STREAM_CONTENT_TYPE = 'application/vnd.amazon.eventstream';

/** One binary event-stream frame carrying an event (`:event-type`) with a JSON payload. */
export function eventFrame(eventType: string, payload: unknown): Uint8Array {
  return codec.encode({
    headers: {
      ':message-type': { type: 'string', value: 'event' },
      ':event-type': { type: 'string', value: eventType },
      ':content-type': { type: 'string', value: 'application/json' },
    },
    body: new Uint8Array(Buffer.from(JSON.stringify(payload), 'utf8')),
  });
}

/**
 * One frame carrying a modeled exception (`:exception-type`, e.g. 'throttlingException'), which the
 * SDK raises from the middle of the stream it is iterating.
 */
export function exceptionFrame(exceptionType: string, message: string): Uint8Array {
  return codec.encode({
    headers: {
      ':message-type': { type: 'string', value: 'exception' },
      ':exception-type': { type: 'string', value: exceptionType },
      ':content-type': { type: 'string', value: 'application/json' },
    },
    body: new Uint8Array(Buffer.from(JSON.stringify({ message }), 'utf8')),
  });
}

/** Decodes one frame: for tests of the fakes themselves. */
export function decodeFrame(frame: Uint8Array): { headers: Record<string, unknown>; body: string } {
  const message = codec.decode(frame);
  const headers: Record<string, unknown> = {};
  for (const [name, header] of Object.entries(message.headers)) headers[name] = header.value;
  return { headers, body: Buffer.from(message.body).toString('utf8') };
}
