import {
  type AppHost,
  type AuthMode,
  type BatonApp,
  type BatonDefinition,
  createBatonApp,
  type FetchOptions,
  jsonLogger,
  systemClock,
} from '@baton/core';
import { consoleSettings } from './console-auth.js';
import { createConsoleHandler } from './console-handler.js';
import { consoleRoute, signInRedirect } from './console-mount.js';
import { ConsoleSessions } from './console-session.js';
import { pricesFromEnvironment } from './prices-from-environment.js';

/** Where a deployed console is served, after the host strips its own prefix. */
export const HOSTED_CONSOLE_PATH = '/console';

/**
 * A buffering host (API Gateway with a buffered Lambda, an Azure HTTP trigger that returns a
 * body) cannot hold a stream open: each stream request answers what is new since Last-Event-ID
 * and ends, and the browser's EventSource asks again after this long. A poll, then, one
 * invocation each.
 */
export const HOSTED_STREAM_RETRY_MS = 3_000;

export interface HostedConsoleOptions {
  /** What the host strips from the path before the app sees it (Azure's `/api`), kept in links. */
  prefix?: string;
}

/** The app with the console mounted, for the requests a host sends it (see `isConsoleRequest`). */
export interface HostedConsole {
  readonly app: BatonApp;
  /** `app.fetch`, with a browser that opens a page signed out sent to the sign-in form. */
  fetch(request: Request, options?: FetchOptions): Promise<Response>;
}

/**
 * The console for a deployed host, or null when BATON_CONSOLE is not on (a cloud host's default)
 * or the app's auth is `'none'` (it would show every tenant to anyone).
 * It is the host's own app (same definition and host) plus the console's routes and, when the
 * definition takes API keys, its sign-in cookie: the console's pages need `read` under the app's
 * own `auth`, and the Approve / Reject buttons reach the same API with the same cookie. Cookies
 * are always Secure (cloud hosts serve HTTPS only) and signed with the key's stored hash (plus
 * BATON_CONSOLE_SECRET when set), so every instance of a scaled-out function accepts them.
 * Hosts load this module with `import()`, only when BATON_CONSOLE is set, so the console's code
 * stays off their cold-start path.
 *
 * @example
 * const { hostedConsole } = await import('@baton/console/hosted');
 * const console = hostedConsole(definition, { store, queue, env, requireAuth: true });
 * const response = await (console?.fetch(request) ?? app.fetch(request));
 */
export function hostedConsole(
  definition: BatonDefinition,
  host: AppHost,
  options: HostedConsoleOptions = {},
): HostedConsole | null {
  const env = host.env ?? process.env;
  if (!consoleSettings(env, { enabledByDefault: false }).enabled) return null;
  const prefix = options.prefix ?? '';
  const clock = host.clock ?? systemClock;
  const logger = host.logger ?? jsonLogger();
  if (definition.config.auth === 'none') {
    // 'none' trusts every caller with every tenant: on the internet that is everyone's sessions.
    logger.error(
      "BATON_CONSOLE is on but the app's auth is 'none': the console is not served; set auth (apiKeys(), jwt(), platformAuth()) to use it",
    );
    return null;
  }
  const sessions = takesApiKeys(definition)
    ? new ConsoleSessions({
        context: { store: host.store, clock, env, logger },
        secret: env.BATON_CONSOLE_SECRET ?? '',
      })
    : undefined;
  const handler = createConsoleHandler({
    store: host.store,
    logger,
    prefix,
    basePath: HOSTED_CONSOLE_PATH,
    prices: pricesFromEnvironment(env),
    streamMaxMs: 0,
    streamRetryMs: HOSTED_STREAM_RETRY_MS,
    ...(sessions ? { signIn: sessions } : {}),
  });
  const app = createBatonApp(definition, {
    ...host,
    routes: [consoleRoute(handler, HOSTED_CONSOLE_PATH, { secure: true }), ...(host.routes ?? [])],
    authModes: [...(sessions ? [sessions.authMode()] : []), ...(host.authModes ?? [])],
  });
  return {
    app,
    fetch: async (request, fetchOptions) =>
      signInRedirect(request, await app.fetch(request, fetchOptions), HOSTED_CONSOLE_PATH, prefix),
  };
}

function takesApiKeys(definition: BatonDefinition): boolean {
  const auth = definition.config.auth;
  const modes: readonly AuthMode[] =
    auth === undefined || auth === 'none' ? [] : Array.isArray(auth) ? auth : [auth as AuthMode];
  return modes.some((mode) => mode.kind === 'api_key');
}
