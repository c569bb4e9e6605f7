import type { ConsoleResponse } from './console-types.js';
import { html } from './html.js';
import { type ConsolePaths, page, SECURITY_HEADERS } from './layout.js';

export function htmlResponse(
  status: number,
  body: string,
): { status: number; headers: Record<string, string>; body: string } {
  return { status, headers: { ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8' }, body };
}

export function redirect(location: string, setCookie?: string): ConsoleResponse {
  return {
    status: 303,
    headers: { ...SECURITY_HEADERS, location, ...(setCookie ? { 'set-cookie': setCookie } : {}) },
    body: '',
  };
}

export function forbidden(paths: ConsolePaths, message: string): ConsoleResponse {
  return htmlResponse(
    403,
    page(paths, 'Forbidden', html`<h1>Forbidden</h1><p class="error-page">${message}</p>`),
  );
}

export function methodNotAllowed(paths: ConsolePaths, allow: string): ConsoleResponse {
  return {
    ...htmlResponse(405, page(paths, 'Method not allowed', html`<h1>Method not allowed</h1>`)),
    headers: { ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8', allow },
  };
}
