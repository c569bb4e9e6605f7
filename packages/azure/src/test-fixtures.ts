import { readFileSync } from 'node:fs';
import azureFunctions, { type HttpRequestInit, type InvocationContextInit } from '@azure/functions';

// @azure/functions is CommonJS: the classes come through the default import under Node's ESM loader.
const { HttpRequest, InvocationContext } = azureFunctions;

export type HttpFixture =
  | 'post-message'
  | 'get-session'
  | 'get-events'
  | 'post-approval'
  | 'list-sessions'
  | 'delete-session'
  | 'healthz';

/**
 * A request shaped like the ones the Functions host hands over in Azure (captured headers, the
 * `/api` route prefix, the catch-all route's `path` param), with optional changes for one test.
 */
export function fixtureRequest(
  name: HttpFixture,
  change: { path?: string; body?: string; headers?: Record<string, string>; method?: string } = {},
): InstanceType<typeof HttpRequest> {
  const init = JSON.parse(
    readFileSync(new URL(`./fixtures/http/${name}.json`, import.meta.url), 'utf8'),
  ) as HttpRequestInit & { headers: Record<string, string>; url: string };
  const url = new URL(init.url);
  if (change.path !== undefined) url.pathname = change.path;
  // A changed header replaces the fixture's whatever its case (Headers would join the two values).
  const changed = new Set(Object.keys(change.headers ?? {}).map((name) => name.toLowerCase()));
  const kept = Object.entries(init.headers).filter(([name]) => !changed.has(name.toLowerCase()));
  const headers: Record<string, string> = { ...Object.fromEntries(kept), ...change.headers };
  if (change.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(change.body));
  return new HttpRequest({
    ...init,
    method: change.method ?? init.method ?? 'GET',
    url: url.toString(),
    headers,
    ...(change.body !== undefined ? { body: { string: change.body } } : {}),
  });
}

let invocations = 0;

/** An InvocationContext like the host's: a fresh invocation id, and queue trigger metadata when given. */
export function invocationContext(init: InvocationContextInit = {}): InstanceType<typeof InvocationContext> {
  invocations += 1;
  return new InvocationContext({
    invocationId: `00000000-0000-4000-8000-${String(invocations).padStart(12, '0')}`,
    functionName: 'baton-test',
    // Quiet: the handlers' own warnings are asserted through the session, not the console.
    logHandler: () => {},
    ...init,
  });
}
