import { readFileSync } from 'node:fs';
import type { APIGatewayProxyEventV2, SQSEvent } from 'aws-lambda';

/** Captured event shapes, kept as JSON under packages/aws/test-events (as middy keeps its own). */
const DIR = new URL('../../test-events/', import.meta.url);

export type HttpFixture =
  | 'http-api-v2'
  | 'http-api-v2-named-stage'
  | 'http-api-v2-jwt-authorizer'
  | 'function-url';

export function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`${name}.json`, DIR), 'utf8')) as T;
}

export function sqsBatchFixture(): SQSEvent {
  return fixture<SQSEvent>('sqs-batch');
}

export interface HttpEventChanges {
  method?: string;
  /** The path the client asked for (rawPath); the fixture's stage and route are kept. */
  path?: string;
  query?: string;
  /** A string is sent as is; anything else as its JSON. */
  body?: unknown;
  base64?: boolean;
  headers?: Record<string, string>;
  /** Epoch ms the request reached API Gateway (`requestContext.timeEpoch`). */
  arrivedAt?: number;
}

/** A captured HTTP event with the request line, headers and body replaced. */
export function httpEvent(name: HttpFixture, changes: HttpEventChanges = {}): APIGatewayProxyEventV2 {
  const event = fixture<APIGatewayProxyEventV2>(name);
  if (changes.method) event.requestContext.http.method = changes.method;
  if (changes.path) {
    event.rawPath = changes.path;
    event.requestContext.http.path = changes.path;
  }
  if (changes.query !== undefined) event.rawQueryString = changes.query;
  if (changes.headers) event.headers = { ...event.headers, ...changes.headers };
  if (changes.arrivedAt !== undefined) event.requestContext.timeEpoch = changes.arrivedAt;
  if ('body' in changes) {
    const text =
      changes.body === undefined
        ? undefined
        : typeof changes.body === 'string'
          ? changes.body
          : JSON.stringify(changes.body);
    if (text === undefined) delete event.body;
    else event.body = changes.base64 ? Buffer.from(text, 'utf8').toString('base64') : text;
    event.isBase64Encoded = Boolean(changes.base64 && text !== undefined);
  }
  return event;
}
