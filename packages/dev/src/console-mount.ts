// The console and its mounting moved to @baton/console, which the cloud hosts share; kept here for
// the local server's imports and @baton/dev's public exports.
export { consoleRoute, signInRedirect, webResponse } from '@baton/console';
