import type { Scope } from './identity.js';

/**
 * Who may call a route: `public` (health checks, the console's sign-in page), `signed` (the channel
 * checks the request's own signature, e.g. Slack's), or a scope the caller's identity must hold.
 */
export type RouteAccess = 'public' | 'signed' | Scope;

/**
 * One route of the app's table. Every request is matched against the table before anything runs:
 * a request that matches no route is 404, so a handler that is not in the table cannot be reached,
 * and a route cannot be added without saying who may call it.
 *
 * @example
 * { method: 'POST', path: '/sessions/{id}/messages', access: 'send' }
 */
export interface RouteSpec {
  method: 'GET' | 'POST' | 'DELETE' | 'PUT' | 'PATCH';
  /** Segments in braces match one non-empty path segment; a trailing `{rest*}` matches the rest. */
  path: string;
  access: RouteAccess;
  /** Who serves it: 'api', a channel's name, or a host route's name ('console'). */
  owner: string;
}
