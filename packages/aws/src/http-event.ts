import type { HttpRequest, HttpResponse, JsonObject } from '@baton/core';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { z } from 'zod';

/**
 * Translation between Lambda's HTTP event (API Gateway HTTP API payload 2.0, and Lambda Function
 * URLs, which send the same shape) and core's HttpRequest / HttpResponse. Nothing here decides
 * anything about sessions: a malformed event is answered here and never reaches core.
 */

const headerValue = z.string().nullish();

const eventSchema = z.object({
  version: z.literal('2.0'),
  routeKey: z.string().optional(),
  rawPath: z.string().startsWith('/'),
  rawQueryString: z.string().optional(),
  cookies: z.array(z.string()).optional(),
  headers: z.record(z.string(), headerValue).nullish(),
  body: z.string().nullish(),
  isBase64Encoded: z.boolean().optional(),
  requestContext: z.object({
    http: z.object({ method: z.string().min(1) }),
    stage: z.string().optional(),
    domainName: z.string().optional(),
  }),
});

export type NormalizedHttpEvent =
  | {
      ok: true;
      request: HttpRequest;
      /** The body's bytes exactly as the client sent them (base64 decoded): what a signature covers. */
      rawBody: Uint8Array;
      /** API Gateway (not a Function URL): its integration timeout caps how long we may take. */
      viaApiGateway: boolean;
    }
  | { ok: false; response: HttpResponse };

export interface HttpEventOptions {
  /** A path prefix to remove (a custom domain's API mapping, say). Default: derived from the route key. */
  basePath?: string;
}

/**
 * Normalizes a payload 2.0 event: lower-case headers, cookies folded back into `cookie`, base64
 * bodies decoded, and the stage and route prefix stripped so core sees `/sessions/...`.
 *
 * @example
 * const normalized = normalizeHttpEvent(event, {});
 * if (normalized.ok) await handleHttp(baton, normalized.request, { deadline });
 */
export function normalizeHttpEvent(event: unknown, options: HttpEventOptions): NormalizedHttpEvent {
  const parsed = eventSchema.safeParse(event);
  if (!parsed.success) {
    const where = parsed.error.issues[0]?.path.join('.') || 'event';
    return {
      ok: false,
      response: failure(
        400,
        'unsupported_event',
        `not an API Gateway HTTP API (payload 2.0) or Function URL event (${where}); set the integration's payload format version to 2.0`,
      ),
    };
  }
  const input = parsed.data;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.headers ?? {})) {
    if (typeof value === 'string') headers[name.toLowerCase()] = value;
  }
  // API Gateway moves the Cookie header into `cookies`; put it back so the request reads like HTTP.
  if (input.cookies && input.cookies.length > 0 && headers.cookie === undefined) {
    headers.cookie = input.cookies.join('; ');
  }
  let body: string | undefined;
  let rawBody: Uint8Array = new Uint8Array(0);
  if (typeof input.body === 'string') {
    const bytes = input.isBase64Encoded ? decodeBase64(input.body) : Buffer.from(input.body, 'utf8');
    const text = input.isBase64Encoded ? bytes && decodeUtf8(bytes) : input.body;
    if (!bytes || text === null) {
      return {
        ok: false,
        response: failure(400, 'invalid_body_encoding', 'the body is not valid base64-encoded UTF-8'),
      };
    }
    body = text;
    rawBody = bytes;
  }
  const domain = input.requestContext.domainName ?? '';
  return {
    ok: true,
    viaApiGateway: !domain.includes('.lambda-url.'),
    rawBody,
    request: {
      method: input.requestContext.http.method.toUpperCase(),
      path: stripPrefixes(input.rawPath, input.requestContext.stage, options.basePath, input.routeKey),
      query: new URLSearchParams(input.rawQueryString ?? ''),
      headers,
      body,
    },
  };
}

/** Core's response as Lambda's structured result; the body is always JSON. */
export function toLambdaResult(response: HttpResponse): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: response.status,
    headers: { ...response.headers },
    body: JSON.stringify(response.body),
    isBase64Encoded: false,
  };
}

/** A JSON error in the shape core's errors have (`BatonError.toJSON()`), for errors the adapter answers. */
export function failure(status: number, code: string, message: string, retryable = false): HttpResponse {
  const body: JsonObject = { error: { code, message, retryable } };
  return { status, headers: { 'content-type': 'application/json' }, body };
}

function stripPrefixes(
  rawPath: string,
  stage: string | undefined,
  basePath: string | undefined,
  routeKey: string | undefined,
): string {
  let path = rawPath;
  // On the execute-api endpoint a named stage is part of rawPath; `$default` never is.
  if (stage && stage !== '$default') path = withoutPrefix(path, `/${stage}`);
  const prefix = basePath ?? greedyRoutePrefix(routeKey);
  if (prefix) path = withoutPrefix(path, prefix.replace(/\/+$/, ''));
  return path === '' ? '/' : path;
}

/** `ANY /api/{proxy+}` -> `/api`: everything before a greedy path variable is the route's prefix. */
function greedyRoutePrefix(routeKey: string | undefined): string | undefined {
  const match = routeKey?.match(/^\S+\s+(\/.*?)\/?\{[^}]+\+\}$/);
  return match?.[1] || undefined;
}

function withoutPrefix(path: string, prefix: string): string {
  if (prefix === '' || prefix === '/') return path;
  if (path === prefix) return '/';
  return path.startsWith(`${prefix}/`) ? path.slice(prefix.length) : path;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function decodeBase64(text: string): Uint8Array | null {
  const compact = text.replace(/\s+/g, '');
  if (!BASE64.test(compact) || compact.length % 4 === 1) return null;
  return Buffer.from(compact, 'base64');
}

function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}
