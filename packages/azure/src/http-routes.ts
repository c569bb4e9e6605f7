/** The Functions host's own check before a function runs: a function key, or none. */
export type AuthLevel = 'function' | 'anonymous';

/** One HTTP function the app registers: all of them run the same handler (`app.fetch`). */
export interface HttpFunction {
  name: string;
  /** Relative to host.json's route prefix (`api`). */
  route: string;
  methods: ('GET' | 'POST' | 'DELETE')[];
  authLevel: AuthLevel;
}

const CONSOLE_FUNCTION: HttpFunction = {
  name: 'baton-console',
  route: 'console/{*path}',
  methods: ['GET', 'POST'],
  authLevel: 'anonymous',
};

/**
 * The HTTP functions: Slack's routes and the health check anonymous (Slack cannot send a function
 * key, it signs its requests; a health probe holds no key), everything else on the catch-all at the
 * API's auth level. The Functions host tries routes in the alphabetical order of the function
 * names, not by how specific they are, so the specific routes' names sort before the catch-all's.
 * With the console on, `console/{*path}` is anonymous too: a browser holds no function key, and
 * the app's `auth` (the console's sign-in, App Service authentication) guards every page.
 *
 * @example
 * for (const fn of httpFunctions('function')) functions.http(fn.name, { ...fn, handler });
 */
export function httpFunctions(apiAuthLevel: AuthLevel, options: { console?: boolean } = {}): HttpFunction[] {
  return [
    { name: 'baton-channel-slack', route: 'slack/{kind}', methods: ['POST'], authLevel: 'anonymous' },
    // A browser cannot send a function key: the app's own auth guards the console's pages.
    ...(options.console ? [CONSOLE_FUNCTION] : []),
    { name: 'baton-healthz', route: 'healthz', methods: ['GET'], authLevel: 'anonymous' },
    { name: 'baton-http', route: '{*path}', methods: ['GET', 'POST', 'DELETE'], authLevel: apiAuthLevel },
  ];
}
