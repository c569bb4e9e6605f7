import { createHash, timingSafeEqual } from 'node:crypto';
import { html } from './html.js';
import { type ConsolePaths, page } from './layout.js';

/** A bearer token, or 'none' where the network is trusted (the local server on 127.0.0.1). */
export type ConsoleAuth = { token: string } | 'none';

const COOKIE = 'baton_console';
const MIN_TOKEN_LENGTH = 16;

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Compares digests, so neither the length nor the content of the token leaks through timing. */
function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** What the login cookie holds: derived from the token, so the cookie never carries the token itself. */
function cookieSecret(token: string): string {
  return digest(`baton-console-cookie:${token}`).toString('hex');
}

function cookie(headers: Record<string, string | undefined>, name: string): string | undefined {
  for (const part of (headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

/** `Authorization: Bearer <token>` (scripts, curl) or the cookie set by the login form (browsers). */
export function isAuthorized(auth: ConsoleAuth, headers: Record<string, string | undefined>): boolean {
  if (auth === 'none') return true;
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '')?.[1];
  if (bearer !== undefined && sameSecret(bearer, auth.token)) return true;
  const session = cookie(headers, COOKIE);
  return session !== undefined && sameSecret(session, cookieSecret(auth.token));
}

export function loginPage(paths: ConsolePaths, failed: boolean): string {
  return page(
    paths,
    'Sign in',
    html`<h1>Sign in</h1>
${failed ? html`<p class="warning" role="alert">That token is not valid.</p>` : ''}
<form method="post" action="${paths.login()}">
<label>Console token <input type="password" name="token" autocomplete="current-password" required></label>
<button type="submit">Sign in</button>
</form>`,
  );
}

/** The login form's POST: a valid token sets an HttpOnly, SameSite=Strict cookie scoped to the console. */
export function login(
  auth: ConsoleAuth,
  paths: ConsolePaths,
  body: string | undefined,
  headers: Record<string, string | undefined>,
): { ok: true; setCookie: string } | { ok: false } {
  if (auth === 'none') return { ok: true, setCookie: '' };
  const token = new URLSearchParams(body ?? '').get('token') ?? '';
  if (!sameSecret(token, auth.token)) return { ok: false };
  const secure = headers['x-forwarded-proto'] === 'https' ? '; Secure' : '';
  return {
    ok: true,
    setCookie: `${COOKIE}=${cookieSecret(auth.token)}; Path=${paths.base}; HttpOnly; SameSite=Strict; Max-Age=43200${secure}`,
  };
}

export type ConsoleSettings = { enabled: true; auth: ConsoleAuth } | { enabled: false; reason: string };

/**
 * Whether and how to serve the console, from the environment:
 *   BATON_CONSOLE        on | off (default: on for the local server, off for cloud handlers)
 *   BATON_CONSOLE_TOKEN  the bearer token (16 characters or more); required beyond a loopback host
 *
 * @example
 * const settings = consoleSettings(process.env, { loopback: false, enabledByDefault: false });
 */
export function consoleSettings(
  env: Record<string, string | undefined>,
  options: { loopback: boolean; enabledByDefault: boolean },
): ConsoleSettings {
  const flag = env.BATON_CONSOLE?.toLowerCase();
  if (flag === 'off' || flag === 'false' || flag === '0')
    return { enabled: false, reason: 'BATON_CONSOLE is off' };
  if (flag === undefined && !options.enabledByDefault)
    return { enabled: false, reason: 'BATON_CONSOLE is not on' };
  const token = env.BATON_CONSOLE_TOKEN;
  if (token) {
    if (token.length < MIN_TOKEN_LENGTH) {
      return {
        enabled: false,
        reason: `BATON_CONSOLE_TOKEN must have at least ${MIN_TOKEN_LENGTH} characters`,
      };
    }
    return { enabled: true, auth: { token } };
  }
  if (options.loopback) return { enabled: true, auth: 'none' };
  return { enabled: false, reason: 'set BATON_CONSOLE_TOKEN to serve the console beyond a loopback address' };
}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
