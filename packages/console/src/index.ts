// The web console, mountable by any host: it imports @baton/core and node built-ins only, so a
// function bundle that mounts it pulls in no SQLite and no dev server. Deployed hosts load
// `@baton/console/hosted` with import(), only when BATON_CONSOLE is on.
export { type ConsoleSettings, consoleSettings, isLoopbackHost } from './console-auth.js';
export { type ConsoleOptions, createConsoleHandler } from './console-handler.js';
export { consoleRoute, signInRedirect, webResponse } from './console-mount.js';
export { consoleSpecs, isConsolePath } from './console-routes.js';
export { type ConsoleSessionOptions, ConsoleSessions, type ConsoleSignIn } from './console-session.js';
export {
  bufferResponse,
  type ConsoleHandler,
  type ConsoleRequest,
  type ConsoleResponse,
} from './console-types.js';
export { CONSOLE_COOKIE, readCookie } from './cookie.js';
export { sessionCost, type TenantCost, tenantCost } from './cost-report.js';
// The pages' formatting, shared with the CLI's text views (`baton sessions show`, ...).
export { formatCost, formatCount, formatDuration, formatTime, formatUsage, formatUsd } from './format.js';
export { escapeHtml, html, SafeHtml } from './html.js';
export { STATUSES, statusLabel } from './list-page.js';
export { pricesFromEnvironment } from './prices-from-environment.js';
export { DEFAULT_PAGE_SIZE, readLog } from './read-log.js';
export { type ApprovalView, type CallInfo, SessionDigest } from './session-digest.js';
