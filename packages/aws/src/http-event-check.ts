/**
 * The shape of an API Gateway HTTP API (payload 2.0) or Function URL event, the fields the adapter
 * reads, checked by hand: the same rules a zod schema stated before, without building that schema
 * at every cold start and running zod's first (slowest) parse on the request's path. Unknown
 * fields are ignored.
 */

/** The event's fields the adapter reads, once `checkHttpEvent` accepted it. */
export interface CheckedHttpEvent {
  version: '2.0';
  routeKey?: string;
  rawPath: string;
  rawQueryString?: string;
  cookies?: string[];
  headers?: Record<string, string | null | undefined> | null;
  body?: string | null;
  isBase64Encoded?: boolean;
  requestContext: {
    http: { method: string };
    stage?: string;
    domainName?: string;
    timeEpoch?: number;
    authorizer?: { jwt?: { claims?: Record<string, unknown> } | null } | null;
  };
}

/**
 * The event, or the path of its first field that breaks the shape (`requestContext.http.method`;
 * `[]` when the event itself is not an object), in the order the fields are listed above.
 *
 * @example
 * const checked = checkHttpEvent(event);
 * if (!checked.ok) console.log(checked.path.join('.') || 'event');
 */
export function checkHttpEvent(
  event: unknown,
): { ok: true; event: CheckedHttpEvent } | { ok: false; path: (string | number)[] } {
  const path = firstProblem(event);
  return path ? { ok: false, path } : { ok: true, event: event as CheckedHttpEvent };
}

type Path = (string | number)[];

function firstProblem(event: unknown): Path | undefined {
  if (!isObject(event)) return [];
  if (event.version !== '2.0') return ['version'];
  if (!optional(event.routeKey, isString)) return ['routeKey'];
  if (!isString(event.rawPath) || !event.rawPath.startsWith('/')) return ['rawPath'];
  if (!optional(event.rawQueryString, isString)) return ['rawQueryString'];
  if (event.cookies !== undefined) {
    if (!Array.isArray(event.cookies)) return ['cookies'];
    const bad = event.cookies.findIndex((cookie) => !isString(cookie));
    if (bad >= 0) return ['cookies', bad];
  }
  if (event.headers !== undefined && event.headers !== null) {
    if (!isPlainObject(event.headers)) return ['headers'];
    for (const [name, value] of Object.entries(event.headers)) {
      if (!nullish(value, isString)) return ['headers', name];
    }
  }
  if (!nullish(event.body, isString)) return ['body'];
  if (!optional(event.isBase64Encoded, (value) => typeof value === 'boolean')) return ['isBase64Encoded'];
  const context = event.requestContext;
  if (!isObject(context)) return ['requestContext'];
  if (!isObject(context.http)) return ['requestContext', 'http'];
  if (!isString(context.http.method) || context.http.method.length < 1) {
    return ['requestContext', 'http', 'method'];
  }
  if (!optional(context.stage, isString)) return ['requestContext', 'stage'];
  if (!optional(context.domainName, isString)) return ['requestContext', 'domainName'];
  if (!optional(context.timeEpoch, (value) => typeof value === 'number' && Number.isFinite(value))) {
    return ['requestContext', 'timeEpoch'];
  }
  const authorizer = context.authorizer;
  if (authorizer !== undefined && authorizer !== null) {
    if (!isObject(authorizer)) return ['requestContext', 'authorizer'];
    const jwt = authorizer.jwt;
    if (jwt !== undefined && jwt !== null) {
      if (!isObject(jwt)) return ['requestContext', 'authorizer', 'jwt'];
      if (jwt.claims !== undefined && !isPlainObject(jwt.claims)) {
        return ['requestContext', 'authorizer', 'jwt', 'claims'];
      }
    }
  }
  return undefined;
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

function optional(value: unknown, check: (value: unknown) => boolean): boolean {
  return value === undefined || check(value);
}

function nullish(value: unknown, check: (value: unknown) => boolean): boolean {
  return value === undefined || value === null || check(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An object literal's kind (what JSON gives): its prototype Object's or none. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (!isObject(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
