import { type Identity, type SessionRef, sessionRef } from '@baton/core';
import { html } from './html.js';
import { type ConsolePaths, page } from './layout.js';

/** Identities that see every tenant: the local server's own and an app that said `auth: 'none'`. */
const EVERY_TENANT: ReadonlySet<Identity['via']> = new Set(['local', 'none', 'cli']);

/**
 * The tenant a console page may show. The local identity sees every tenant (the requested one, or
 * all when `requested` is empty); any other identity sees its own tenant only, and asking for
 * another is refused as the HTTP API refuses it.
 */
export function consoleTenant(identity: Identity, requested: string): string | { refused: string } {
  if (EVERY_TENANT.has(identity.via)) return requested ? sessionRef(requested, 'any').tenant : '';
  if (requested && requested !== identity.tenant) {
    return { refused: `this sign-in is for tenant ${identity.tenant}, not ${requested}` };
  }
  return identity.tenant;
}

/** The session a page or stream names, if the identity may see its tenant. */
export function consoleSession(
  identity: Identity,
  requestedTenant: string,
  sessionId: string,
): SessionRef | { refused: string } {
  const tenant = consoleTenant(
    identity,
    requestedTenant || (EVERY_TENANT.has(identity.via) ? 'default' : ''),
  );
  return typeof tenant === 'string' ? sessionRef(tenant, sessionId) : tenant;
}

/** The sign-in page: an API key's form when the server signs browsers in, else why there is none. */
export function loginPage(paths: ConsolePaths, state: 'form' | 'failed' | 'no-sign-in'): string {
  if (state === 'no-sign-in') {
    return page(
      paths,
      'Sign in',
      html`<h1>Sign in</h1>
<p>This server signs browsers in with API keys only when its app sets <code>auth: apiKeys()</code>.
Without <code>auth</code> the local server needs no sign-in (it answers only on this machine); with another
mode, send that mode's <code>Authorization</code> header.</p>
<p><a href="${paths.list()}">All sessions</a></p>`,
    );
  }
  return page(
    paths,
    'Sign in',
    html`<h1>Sign in</h1>
${state === 'failed' ? html`<p class="warning" role="alert">That API key is not valid (or it is revoked).</p>` : ''}
<form method="post" action="${paths.login()}">
<label>API key <input type="password" name="key" autocomplete="off" required></label>
<button type="submit">Sign in</button>
</form>
<p>Create one with <code>baton keys create --tenant NAME --scopes read,approve</code>.</p>`,
  );
}

export type ConsoleSettings = { enabled: true } | { enabled: false; reason: string };

/**
 * Whether to serve the console, from the environment:
 *   BATON_CONSOLE  on | off (default: on for the local server, off for cloud handlers)
 * Who may open it is the app's auth: its pages need the `read` scope, its actions the HTTP API's.
 *
 * @example
 * const settings = consoleSettings(process.env, { enabledByDefault: false });
 */
export function consoleSettings(
  env: Record<string, string | undefined>,
  options: { enabledByDefault: boolean },
): ConsoleSettings {
  const flag = env.BATON_CONSOLE?.toLowerCase();
  if (flag === 'off' || flag === 'false' || flag === '0')
    return { enabled: false, reason: 'BATON_CONSOLE is off' };
  if (flag === undefined && !options.enabledByDefault)
    return { enabled: false, reason: 'BATON_CONSOLE is not on' };
  return { enabled: true };
}

/** Whether the server binds to this machine only (HOST), so the local identity may apply. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
