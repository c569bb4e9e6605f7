// The web console, mountable by any host: it imports @baton/core and node built-ins only, so a
// function bundle that mounts it (`@baton/dev/console`) pulls in no SQLite and no dev server.
export { type ConsoleSettings, consoleSettings, isLoopbackHost } from './console-auth.js';
export { type ConsoleOptions, createConsoleHandler, isConsolePath } from './console-handler.js';
export { consoleSpecs } from './console-routes.js';
export {
  CONSOLE_COOKIE,
  type ConsoleSessionOptions,
  ConsoleSessions,
  type ConsoleSignIn,
} from './console-session.js';
export {
  bufferResponse,
  type ConsoleHandler,
  type ConsoleRequest,
  type ConsoleResponse,
} from './console-types.js';
export { sessionCost, type TenantCost, tenantCost } from './cost-report.js';
export { escapeHtml, html, SafeHtml } from './html.js';
export { pricesFromEnvironment } from './prices-from-environment.js';
export { readLog } from './read-log.js';
export { type ApprovalView, type CallInfo, SessionDigest } from './session-digest.js';
