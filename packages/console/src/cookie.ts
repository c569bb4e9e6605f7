/** The console's sign-in cookie: Path=/ so the console's own calls to the HTTP API carry it too. */
export const CONSOLE_COOKIE = 'baton_console';

/**
 * One cookie's value from a Cookie header, or undefined.
 *
 * @example
 * readCookie('a=1; baton_console=x.y.z', 'baton_console'); // 'x.y.z'
 */
export function readCookie(header: string | null | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}
