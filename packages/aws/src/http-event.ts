import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { z } from 'zod';

/**
 * Translation between Lambda's HTTP event (API Gateway HTTP API payload 2.0, and Lambda Function
 * URLs, which send the same shape) and a Web-standard Request / Response. Nothing here decides
 * anything about sessions: a malformed event is answered here and never reaches the app.
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
    timeEpoch: z.number().optional(),
    // Set by API Gateway itself after its JWT authorizer verified the token; no client can write it.
    authorizer: z
      .object({ jwt: z.object({ claims: z.record(z.string(), z.unknown()).optional() }).nullish() })
      .nullish(),
  }),
});

export type NormalizedHttpEvent =
  | {
      ok: true;
      /** The path is relative to the app's root: the stage and route prefix are stripped. */
      request: Request;
      /** API Gateway (not a Function URL): its integration timeout caps how long we may take. */
      viaApiGateway: boolean;
      /** Epoch ms the request reached API Gateway or the Function URL, when the event says. */
      arrivedAt: number | undefined;
      /**
       * The claims API Gateway's JWT authorizer verified (`requestContext.authorizer.jwt.claims`),
       * the only place a platform-verified identity comes from; never from a header.
       */
      platformClaims: Readonly<Record<string, unknown>> | undefined;
    }
  | { ok: false; result: APIGatewayProxyStructuredResultV2 };

export interface HttpEventOptions {
  /** A path prefix to remove (a custom domain's API mapping, say). Default: derived from the route key. */
  basePath?: string;
}

/**
 * A payload 2.0 event as a Request: cookies folded back into `cookie`, base64 bodies decoded to
 * the exact bytes sent (what a Slack signature covers), and the stage and route prefix stripped so
 * the app sees `/sessions/...`.
 *
 * @example
 * const normalized = normalizeHttpEvent(event, {});
 * if (normalized.ok) await app.fetch(normalized.request, { deadline });
 */
export function normalizeHttpEvent(event: unknown, options: HttpEventOptions): NormalizedHttpEvent {
  const parsed = eventSchema.safeParse(event);
  if (!parsed.success) {
    const where = parsed.error.issues[0]?.path.join('.') || 'event';
    return rejected(
      'unsupported_event',
      `not an API Gateway HTTP API (payload 2.0) or Function URL event (${where}); set the integration's payload format version to 2.0`,
    );
  }
  const input = parsed.data;
  let body: Uint8Array | undefined;
  if (typeof input.body === 'string') {
    const bytes = input.isBase64Encoded ? decodeBase64(input.body) : Buffer.from(input.body, 'utf8');
    if (!bytes) return rejected('invalid_body_encoding', 'the body is not valid base64');
    body = bytes;
  }
  const method = input.requestContext.http.method.toUpperCase();
  const headers = new Headers();
  for (const [name, value] of Object.entries(input.headers ?? {})) {
    if (typeof value === 'string') trySet(headers, name, value);
  }
  // API Gateway moves the Cookie header into `cookies`; put it back so the request reads like HTTP.
  if (input.cookies && input.cookies.length > 0 && !headers.has('cookie')) {
    trySet(headers, 'cookie', input.cookies.join('; '));
  }
  const withBody = body !== undefined && method !== 'GET' && method !== 'HEAD';
  headers.delete('content-length');
  if (withBody) headers.set('content-length', String(body!.byteLength));
  const domain = input.requestContext.domainName ?? '';
  const path = stripPrefixes(input.rawPath, input.requestContext.stage, options.basePath, input.routeKey);
  const query = input.rawQueryString ? `?${input.rawQueryString}` : '';
  let request: Request;
  try {
    // `?` and `#` cannot be in a raw path; encoded, they stay part of it instead of starting a query.
    const url = new URL(
      `https://${domain || 'localhost'}${path.replace(/[?#]/g, encodeURIComponent)}${query}`,
    );
    request = new Request(url, { method, headers, body: withBody ? body : null });
  } catch (error) {
    return rejected('invalid_request', `the request cannot be read: ${(error as Error).message}`);
  }
  return {
    ok: true,
    request,
    viaApiGateway: !domain.includes('.lambda-url.'),
    arrivedAt: input.requestContext.timeEpoch,
    platformClaims: input.requestContext.authorizer?.jwt?.claims,
  };
}

/**
 * A Response as Lambda's structured result. Text (JSON, HTML, forms...) stays a string; other
 * bodies are base64 with `isBase64Encoded`; `set-cookie` headers go to `cookies`, as payload 2.0 wants.
 */
export async function toLambdaResult(response: Response): Promise<APIGatewayProxyStructuredResultV2> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  const bytes = new Uint8Array(await response.arrayBuffer());
  const text = isTextual(headers['content-type']) ? decodeUtf8(bytes) : null;
  return {
    statusCode: response.status,
    headers,
    ...(cookies.length > 0 ? { cookies } : {}),
    body: text ?? Buffer.from(bytes).toString('base64'),
    isBase64Encoded: text === null,
  };
}

/** A JSON error in the shape core's errors have (`BatonError.toJSON()`), for errors the adapter answers. */
export function errorResult(
  status: number,
  code: string,
  message: string,
  retryable = false,
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: status,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ error: { code, message, retryable } }),
    isBase64Encoded: false,
  };
}

function rejected(code: string, message: string): NormalizedHttpEvent {
  return { ok: false, result: errorResult(400, code, message) };
}

/** API Gateway never sends a header the Headers class refuses; a malformed one is dropped, not fatal. */
function trySet(headers: Headers, name: string, value: string): void {
  try {
    headers.set(name, value);
  } catch {
    // dropped
  }
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

const TEXTUAL = /^(text\/|application\/(json|[^;]*\+json|xml|[^;]*\+xml|javascript|x-www-form-urlencoded))/i;

function isTextual(contentType: string | undefined): boolean {
  return contentType === undefined || TEXTUAL.test(contentType.trim());
}

function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}
