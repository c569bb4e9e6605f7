import { BatonError } from '../errors.js';
import { ConfigurationError } from '../models/model-provider.js';
import { SCOPES } from './identity.js';
import type { RouteSpec } from './route-spec.js';

export type RouteMatch<T> =
  | { kind: 'found'; entry: T & { spec: RouteSpec } }
  | { kind: 'not_found' }
  | { kind: 'method_not_allowed'; allowed: string[] };

const METHODS = new Set(['GET', 'POST', 'DELETE', 'PUT', 'PATCH']);

/**
 * The segments of a path as the API reads them: split on '/', empty ones dropped, still
 * percent-encoded (so an id holding an encoded '/' stays one segment). The table and every handler
 * must read a path the same way, or a request could match one route and run another.
 */
export function pathSegments(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '');
}

/** Whether a path fits a pattern: `{name}` takes one segment, a trailing `{name*}` the rest. */
export function pathMatches(pattern: string, path: string): boolean {
  const want = pathSegments(pattern);
  const have = pathSegments(path);
  for (let index = 0; index < want.length; index++) {
    const part = want[index]!;
    if (/^\{[^}]*\*\}$/.test(part)) return index === want.length - 1;
    const segment = have[index];
    if (segment === undefined) return false;
    if (part.startsWith('{') && part.endsWith('}')) continue;
    if (part !== segment) return false;
  }
  return have.length === want.length;
}

/**
 * Finds the route a request runs: the first entry whose path and method fit (HEAD as GET), else
 * 405 when some path fits, else 404.
 */
export function matchRoute<T extends { spec: RouteSpec }>(
  table: readonly T[],
  method: string,
  path: string,
): RouteMatch<T> {
  const wanted = method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase();
  const allowed = new Set<string>();
  for (const entry of table) {
    if (!pathMatches(entry.spec.path, path)) continue;
    if (entry.spec.method === wanted) return { kind: 'found', entry };
    allowed.add(entry.spec.method);
  }
  return allowed.size > 0 ? { kind: 'method_not_allowed', allowed: [...allowed] } : { kind: 'not_found' };
}

/** The refusal for a request no route takes; 405 carries the `Allow` list. */
export function unmatchedError(match: RouteMatch<unknown>, method: string, path: string): BatonError {
  if (match.kind === 'method_not_allowed') {
    return new BatonError(
      'method_not_allowed',
      `${method} is not allowed here; use ${match.allowed.join(' or ')}`,
      {
        status: 405,
        details: { allowed: match.allowed },
      },
    );
  }
  return new BatonError('not_found', `no route for ${path}`, { status: 404 });
}

/** Refuses a table that cannot be enforced: an unknown method or access, or one route claimed twice. */
export function checkRouteTable(specs: readonly RouteSpec[]): void {
  const seen = new Map<string, string>();
  for (const spec of specs) {
    if (!METHODS.has(spec.method))
      throw new ConfigurationError(`route ${spec.path}: unknown method ${spec.method}`);
    if (!spec.path.startsWith('/')) throw new ConfigurationError(`route ${spec.path} must start with /`);
    if (spec.access !== 'public' && spec.access !== 'signed' && !SCOPES.includes(spec.access)) {
      throw new ConfigurationError(
        `route ${spec.method} ${spec.path}: unknown access ${String(spec.access)}`,
      );
    }
    const shape = `${spec.method} ${pathSegments(spec.path)
      .map((part) => (part.startsWith('{') ? (part.endsWith('*}') ? '{*}' : '{}') : part))
      .join('/')}`;
    const other = seen.get(shape);
    if (other !== undefined) {
      throw new ConfigurationError(
        `route ${spec.method} ${spec.path} is claimed by both ${other} and ${spec.owner}`,
      );
    }
    seen.set(shape, spec.owner);
  }
}
