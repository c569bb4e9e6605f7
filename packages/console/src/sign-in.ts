import type { Logger } from '@baton/core';
import { loginPage } from './console-auth.js';
import type { ConsoleSignIn } from './console-session.js';
import type { ConsoleRequest, ConsoleResponse } from './console-types.js';
import type { ConsolePaths } from './layout.js';
import { htmlResponse, methodNotAllowed, redirect } from './responses.js';

/**
 * `GET`/`POST {base}/login`: the form, and its POST, where a valid API key gets the session cookie
 * and goes to the list. Without `signIn` (no API keys on this server) the page says why.
 */
export async function signInRoute(
  signIn: ConsoleSignIn | undefined,
  paths: ConsolePaths,
  request: ConsoleRequest,
  logger: Logger | undefined,
): Promise<ConsoleResponse> {
  const method = request.method.toUpperCase();
  if (method !== 'GET' && method !== 'POST') return methodNotAllowed(paths, 'GET, POST');
  if (!signIn) return htmlResponse(method === 'GET' ? 200 : 404, loginPage(paths, 'no-sign-in'));
  if (method === 'GET') return htmlResponse(200, loginPage(paths, 'form'));
  const key = new URLSearchParams(request.body ?? '').get('key') ?? '';
  const signedIn = await signIn.signIn(key, { secure: isSecure(request) });
  if (!signedIn) return htmlResponse(401, loginPage(paths, 'failed'));
  logger?.info('console sign-in', { user: signedIn.identity.user, tenant: signedIn.identity.tenant });
  return redirect(paths.list(), signedIn.setCookie);
}

/** Behind a proxy that ends TLS the cookie must still say Secure. */
function isSecure(request: ConsoleRequest): boolean {
  return request.headers['x-forwarded-proto'] === 'https' || request.secure === true;
}
