import type { RouteSpec } from '@baton/core';

/**
 * Every route of the console mounted at `basePath`, with who may call it: the pages and the live
 * stream need `read` (the Approve / Reject buttons call the HTTP API, which checks `approve`); the
 * sign-in form and the static script and stylesheet (no data, they style the sign-in page) are
 * public. The app answers 404 to anything else under `basePath`.
 *
 * @example
 * consoleSpecs('/console').find((spec) => spec.path === '/console/login'); // { method: 'GET', access: 'public', ... }
 */
export function consoleSpecs(basePath = '/console'): RouteSpec[] {
  const spec = (method: RouteSpec['method'], path: string, access: RouteSpec['access']): RouteSpec => ({
    method,
    path: `${basePath}${path}`,
    access,
    owner: 'console',
  });
  return [
    spec('GET', '', 'read'),
    spec('GET', '/cost', 'read'),
    spec('GET', '/sessions/{id}', 'read'),
    spec('GET', '/sessions/{id}/stream', 'read'),
    spec('GET', '/assets/{name}', 'public'),
    spec('GET', '/login', 'public'),
    spec('POST', '/login', 'public'),
  ];
}

/**
 * Whether a path belongs to the console mounted at `basePath`.
 *
 * @example
 * isConsolePath('/console/sessions/s1'); // true
 */
export function isConsolePath(path: string, basePath = '/console'): boolean {
  return path === basePath || path.startsWith(`${basePath}/`);
}
