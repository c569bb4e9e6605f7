import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkHttpEvent } from './http-event-check.js';

/** The zod schema the adapter used before: checkHttpEvent must accept and refuse as it did. */
const headerValue = z.string().nullish();
const reference = z.object({
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
    authorizer: z
      .object({ jwt: z.object({ claims: z.record(z.string(), z.unknown()).optional() }).nullish() })
      .nullish(),
  }),
});

const valid = () => ({
  version: '2.0',
  routeKey: '$default',
  rawPath: '/sessions/a/messages',
  rawQueryString: 'x=1',
  cookies: ['a=1'],
  headers: { 'content-type': 'application/json' },
  body: '{}',
  isBase64Encoded: false,
  requestContext: {
    http: { method: 'POST' },
    stage: '$default',
    domainName: 'x.lambda-url.eu-west-1.on.aws',
    timeEpoch: 1,
    authorizer: { jwt: { claims: { sub: 'u' } } },
  },
});

/** Every path into the valid event, objects' fields and arrays' items. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (typeof value !== 'object' || value === null) return [prefix];
  const keys = Array.isArray(value) ? value.map((_, index) => index) : Object.keys(value);
  return [
    prefix,
    ...keys.flatMap((key) => paths((value as Record<string | number, unknown>)[key], [...prefix, key])),
  ];
}

const replacement = fc.constantFrom<unknown>(
  undefined,
  null,
  '',
  '/x',
  'GET',
  '2.0',
  0,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  true,
  [],
  ['a'],
  [1],
  {},
  { method: 'GET' },
  { jwt: null },
  { claims: [] },
  { a: 1 },
  { a: null },
);

function withReplaced(path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const event = valid() as Record<string | number, unknown>;
  let at = event;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (value === undefined && !Array.isArray(at)) delete at[last];
  else at[last] = value;
  return event;
}

function verdict(result: ReturnType<typeof checkHttpEvent>): string {
  return result.ok ? 'ok' : result.path.join('.') || 'event';
}

function referenceVerdict(event: unknown): string {
  const parsed = reference.safeParse(event);
  return parsed.success ? 'ok' : parsed.error.issues[0]?.path.join('.') || 'event';
}

describe('checkHttpEvent', () => {
  it('accepts a full event and a minimal one', () => {
    expect(checkHttpEvent(valid()).ok).toBe(true);
    const minimal = { version: '2.0', rawPath: '/', requestContext: { http: { method: 'GET' } } };
    expect(checkHttpEvent(minimal).ok).toBe(true);
  });

  it('refuses what the zod schema refused, naming the same first field', () => {
    const all = paths(valid());
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...all), replacement), { minLength: 1, maxLength: 3 }),
        (changes) => {
          let event: unknown = valid();
          for (const [path, value] of changes) {
            const next = withReplaced(path, value);
            event = path.length === 0 ? next : mergeInto(event, path, value);
          }
          expect(verdict(checkHttpEvent(event))).toBe(referenceVerdict(event));
        },
      ),
      { numRuns: 2_000 },
    );
  });
});

/** `event` with one more change, where the path still leads through objects. */
function mergeInto(event: unknown, path: (string | number)[], value: unknown): unknown {
  let at = event as Record<string | number, unknown> | null;
  for (const key of path.slice(0, -1)) {
    if (typeof at !== 'object' || at === null) return event;
    at = at[key] as Record<string | number, unknown> | null;
  }
  if (typeof at !== 'object' || at === null) return event;
  const last = path[path.length - 1]!;
  if (value === undefined && !Array.isArray(at)) delete at[last];
  else at[last] = value;
  return event;
}
