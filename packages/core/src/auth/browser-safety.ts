import { AuthError } from './auth-error.js';

export interface BrowserSafety {
  /** Only a local Host (and a local Origin) is served: the local server, against DNS rebinding. */
  localOnly: boolean;
  /** Origins besides the request's own that may send requests (BATON_ALLOWED_ORIGINS). */
  allowedOrigins: readonly string[];
}

const LOCAL_HOSTNAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/** BATON_ALLOWED_ORIGINS as a list of origins (`https://app.example`, comma separated). */
export function allowedOrigins(setting: string | undefined): string[] {
  return (setting ?? '')
    .split(',')
    .map((item) => item.trim().replace(/\/+$/, ''))
    .filter((item) => item !== '');
}

/**
 * Refuses what a browser could be tricked into sending: a page on another origin (its `Origin`, or
 * `Sec-Fetch-Site: cross-site`), and on the local server a Host that is not local (a rebound DNS
 * name). Runs before anything else, so a refused request changes nothing.
 */
export function checkBrowserSafety(request: Request, safety: BrowserSafety): void {
  const url = new URL(request.url);
  const host = request.headers.get('host') ?? url.host;
  if (safety.localOnly && !isLocalHost(host)) {
    throw new AuthError('host_not_allowed', 'this server answers only requests for localhost');
  }
  if (request.headers.get('sec-fetch-site')?.toLowerCase() === 'cross-site') {
    throw new AuthError('origin_not_allowed', 'cross-site requests are not accepted');
  }
  const origin = request.headers.get('origin');
  if (origin === null) return;
  const own = [url.origin, `${url.protocol}//${host.toLowerCase()}`];
  if (safety.localOnly && !isLocalOrigin(origin)) {
    throw new AuthError('origin_not_allowed', `requests from ${origin} are not accepted`);
  }
  if (!own.includes(origin.toLowerCase()) && !safety.allowedOrigins.includes(origin)) {
    throw new AuthError('origin_not_allowed', `requests from ${origin} are not accepted`);
  }
}

/** A Host header naming this machine: localhost, 127.0.0.1 or [::1], with any port. */
export function isLocalHost(host: string): boolean {
  const match = /^(\[[^\]]*\]|[^:]*)(?::\d{1,5})?$/.exec(host.trim().toLowerCase());
  return match !== null && LOCAL_HOSTNAMES.has(match[1]!);
}

function isLocalOrigin(origin: string): boolean {
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && isLocalHost(url.host);
  } catch {
    return false;
  }
}
